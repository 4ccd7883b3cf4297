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

    /// <summary>
    /// Two requests under one key both wait for the key's lock (held here) before either reads the key's record: the one
    /// served second must read what the first committed, so the read of the prior answer has to take its snapshot after the
    /// lock is granted (a separate statement under READ COMMITTED), not when the waiting began.
    /// </summary>
    [Fact]
    public async Task RequestsWaitingOnTheKeysLock_TheSecondReplaysWhatTheFirstCommitted()
    {
        var rut = Ruts.Next();
        var key = Guid.NewGuid().ToString();
        await using var holder = new NpgsqlConnection(backend.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockKey = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", holder, hold) { Parameters = { new() { Value = key } } })
        {
            await lockKey.ExecuteNonQueryAsync();
        }

        var both = Enumerable.Range(0, 2).Select(_ => http.PostJsonAsync("/create_client", Api.Client(rut), key)).ToArray();
        await WaitForLockWaitersAsync(holder, key, 2);
        await hold.CommitAsync();
        var answers = await Task.WhenAll(both);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(answers[0].Text, answers[1].Text);
        Assert.Single(answers, a => a.Response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await CountAsync("clients", rut));
    }

    /// <summary>Until <paramref name="waiters"/> sessions wait for <paramref name="key"/>'s advisory lock (pg_locks splits its 64 bits into classid and objid).</summary>
    private static async Task WaitForLockWaitersAsync(NpgsqlConnection connection, string key, int waiters)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var count = new NpgsqlCommand(
                """
                SELECT count(*) FROM pg_locks, (SELECT hashtextextended($1, 0) AS h) k
                WHERE locktype = 'advisory' AND NOT granted
                  AND classid = ((k.h >> 32) & 4294967295)::oid AND objid = (k.h & 4294967295)::oid
                """,
                connection) { Parameters = { new() { Value = key } } };
            var waiting = (long)(await count.ExecuteScalarAsync())!;
            if (waiting >= waiters)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{waiting} of {waiters} requests wait for the key's lock after 30 s");
            await Task.Delay(20);
        }
    }

    private async Task<long> CountAsync(string table, string rut)
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE rut = $1", connection) { Parameters = { new() { Value = rut } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
