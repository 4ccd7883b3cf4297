using System.Net;
using LeadFlow.TestSupport;
using Npgsql;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class IdempotencyTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task SameKeySameBody_ReplaysTheFirstAnswer()
    {
        var key = Guid.NewGuid().ToString();
        var body = Api.Client(Ruts.Next());

        var first = await http.PostJsonAsync("/create_client", body, key);
        var again = await http.PostJsonAsync("/create_client", body, key);

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Text, again.Text);
        Assert.True(again.Json.GetProperty("created").GetBoolean());
        Assert.Equal("true", again.Response.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task SameKeyDifferentBody_Is422()
    {
        var key = Guid.NewGuid().ToString();
        await http.PostJsonAsync("/create_client", Api.Client(Ruts.Next()), key);

        var other = await http.PostJsonAsync("/create_client", Api.Client(Ruts.Next()), key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Contains(("Idempotency-Key", "idempotencyKey.mismatch"), other.Rules);
    }

    [Fact]
    public async Task SameNaturalKeyWithoutIdempotencyKey_SaysAlreadyExisted()
    {
        var rut = Ruts.Next();
        var first = await http.PostJsonAsync("/create_client", Api.Client(rut));

        var second = await http.PostJsonAsync("/create_client", Api.Client(Ruts.Dotted(rut), name: "Other"));

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.False(second.Json.GetProperty("created").GetBoolean());
        Assert.Equal(first.Json.GetProperty("id").GetInt64(), second.Json.GetProperty("id").GetInt64());
        Assert.Equal(1, await CountAsync("clients", rut));
    }

    [Fact]
    public async Task TwentyConcurrentDuplicates_MakeOneRow()
    {
        var rut = Ruts.Next();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.PostJsonAsync("/create_client", Api.Client(rut))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers, a => a.Json.GetProperty("created").GetBoolean());
        Assert.Single(answers.Select(a => a.Json.GetProperty("id").GetInt64()).Distinct());
        Assert.Equal(1, await CountAsync("clients", rut));
    }

    [Fact]
    public async Task TwentyConcurrentDuplicatesWithOneKey_MakeOneRowAndOneAnswer()
    {
        var rut = Ruts.Next();
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.PostJsonAsync("/create_client", Api.Client(rut), key)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Text).Distinct());
        Assert.True(answers[0].Json.GetProperty("created").GetBoolean());
        Assert.Equal(1, await CountAsync("clients", rut));
    }

    [Fact]
    public async Task TwentyConcurrentPartnersAndBenefits_MakeOneRowEach()
    {
        var rut = Ruts.Next();
        await http.CreateClientAsync(rut);

        var partners = Enumerable.Range(0, 20).Select(i => http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, i % 2 == 0 ? null : $"p-{rut}-{i}"));
        var benefits = Enumerable.Range(0, 20).Select(i => http.PostJsonAsync("/create_benefit", new { rut, wantsBenefit = false }, i % 2 == 0 ? null : $"b-{rut}-{i}"));
        var answers = await Task.WhenAll(partners.Concat(benefits));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(1, await CountAsync("partners", rut));
        Assert.Equal(1, await CountAsync("benefits", rut));
        Assert.Equal(2, answers.Count(a => a.Json.GetProperty("created").GetBoolean()));
    }

    [Fact]
    public async Task RefusalUnderAKey_IsNotRemembered()
    {
        var rut = Ruts.Next();
        var key = Guid.NewGuid().ToString();
        var refused = await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, key);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);

        await http.CreateClientAsync(rut);
        var retried = await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, key);

        Assert.Equal(HttpStatusCode.OK, retried.Status);
        Assert.True(retried.Json.GetProperty("created").GetBoolean());
    }

    private async Task<long> CountAsync(string table, string rut)
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE rut = $1", connection) { Parameters = { new() { Value = rut } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
