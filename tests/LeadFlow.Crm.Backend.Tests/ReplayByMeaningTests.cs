using System.Net;
using System.Security.Cryptography;
using System.Text;
using LeadFlow.TestSupport;
using Npgsql;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary>Issue 12 point 3: a retry under the same Idempotency-Key is judged by what it means, not by its bytes.</summary>
public sealed class ReplayByMeaningTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    public static TheoryData<string, string> SameMeaning => new()
    {
        { """{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"+56 9 5454 5454"}""", """{"phone":"+56 9 5454 5454","mail":"ana@example.com","rut":"{rut}","lastname":"Perez","name":"Ana"}""" },
        { """{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"+56 9 5454 5454"}""", "{\n  \"name\" : \"Ana\",\n  \"lastname\" : \"Perez\",\n  \"rut\" : \"{rut}\",\n  \"mail\" : \"ana@example.com\",\n  \"phone\" : \"+56 9 5454 5454\"\n}\n" },
        { """{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"+56 9 5454 5454"}""", """{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"+56 9 5454 5454","eventTime":null}""" },
        { """{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"+56 9 5454 5454","eventTime":"2026-11-02T12:30:00Z"}""", """{"eventTime":"2026-11-02T09:30:00-03:00","name":" Ana ","lastname":"Perez","rut":"{dotted}","mail":"ana@example.com","phone":"+56 9 5454 5454"}""" },
        { """{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":56954545454}""", """{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"56954545454"}""" },
    };

    [Theory]
    [MemberData(nameof(SameMeaning))]
    public async Task SameKeySameMeaningOtherBytes_ReplaysTheFirstAnswer(string first, string retry)
    {
        var rut = Ruts.Next();
        var key = LeadRunKeys.New("e1").Key(LeadRunKeys.Client);

        var answer = await http.SendAsync(HttpMethod.Post, "/create_client", Fill(first, rut), idempotencyKey: key);
        var replay = await http.SendAsync(HttpMethod.Post, "/create_client", Fill(retry, rut), idempotencyKey: key);

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal(answer.Text, replay.Text);
        Assert.Equal("true", replay.Response.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task RetryFromAnUpgradedWorker_ThatNowSendsTheEventTimeAndTheRun_Replays()
    {
        var rut = Ruts.Next();
        var key = Guid.NewGuid().ToString();
        var upgraded = new Dictionary<string, string> { ["X-Lead-Id"] = "lead-upgraded", ["X-Run-Id"] = "run-1" };

        var first = await http.SendAsync(HttpMethod.Post, "/create_client", Fill("""{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"+56 9 5454 5454"}""", rut), idempotencyKey: key);
        var retry = await http.SendAsync(HttpMethod.Post, "/create_client", Fill("""{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"+56 9 5454 5454","eventTime":"2026-11-02T12:30:00Z"}""", rut), idempotencyKey: key, headers: upgraded);

        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(first.Text, retry.Text);
    }

    [Fact]
    public async Task SameKeyAnotherKnownEventTime_Is422NamingIt()
    {
        var rut = Ruts.Next();
        var key = LeadRunKeys.New("e1").Key(LeadRunKeys.Client);
        const string Template = """{"name":"Ana","lastname":"Perez","rut":"{rut}","mail":"ana@example.com","phone":"+56 9 5454 5454","eventTime":"{time}"}""";

        await http.SendAsync(HttpMethod.Post, "/create_client", Fill(Template, rut).Replace("{time}", "2026-11-02T12:30:00Z", StringComparison.Ordinal), idempotencyKey: key);
        var other = await http.SendAsync(HttpMethod.Post, "/create_client", Fill(Template, rut).Replace("{time}", "2026-11-03T12:30:00Z", StringComparison.Ordinal), idempotencyKey: key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Contains(("eventTime", "idempotencyKey.fieldDiffers"), other.Rules);
    }

    [Fact]
    public async Task SameKeyOptionalFailureFieldsNullOrAbsent_Replays()
    {
        var key = $"failure-{Guid.NewGuid()}";

        var first = await http.SendAsync(HttpMethod.Post, "/lead_failures", """{"leadId":"lead-x","step":"CreateClient","reason":"timeout"}""", idempotencyKey: key);
        var again = await http.SendAsync(HttpMethod.Post, "/lead_failures", """{"errors":null,"payloadReference":null,"reason":"timeout","step":"CreateClient","leadId":"lead-x"}""", idempotencyKey: key);

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Text, again.Text);
    }

    [Fact]
    public async Task SameKeyRealDifference_Is422NamingTheField()
    {
        var rut = Ruts.Next();
        var key = LeadRunKeys.New("e1").Key(LeadRunKeys.Client);
        await http.PostJsonAsync("/create_client", Api.Client(rut, mail: "ana@example.com"), key);

        var other = await http.PostJsonAsync("/create_client", Api.Client(rut, mail: "someone.else@example.com"), key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Contains(("Idempotency-Key", "idempotencyKey.mismatch"), other.Rules);
        Assert.Contains(("mail", "idempotencyKey.fieldDiffers"), other.Rules);
        Assert.DoesNotContain(other.Rules, r => r.Field is "name" or "phone" or "rut");
        Assert.DoesNotContain("someone.else", other.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameKeyOnAnotherRoute_Is422NamingTheRoute()
    {
        var rut = Ruts.Next();
        var key = Guid.NewGuid().ToString();
        await http.CreateClientAsync(rut);
        await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" }, key);

        var other = await http.PostJsonAsync("/create_benefit", new { rut, wantsBenefit = true }, key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Contains(("route", "idempotencyKey.fieldDiffers"), other.Rules);
    }

    [Fact]
    public async Task AnswerStoredBeforeMeaningsWereKept_IsStillReplayedForTheSameBytes()
    {
        var rut = Ruts.Next();
        var key = Guid.NewGuid().ToString();
        var body = System.Text.Json.JsonSerializer.Serialize(Api.Client(rut));
        var id = await http.CreateClientAsync(rut);
        var legacyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"POST /create_client\n{body}")));
        var legacyAnswer = $$"""{"statusCode":200,"message":"Client created","description":"The client was stored with id {{id}}.","id":{{id}},"created":true}""";
        await using (var connection = new NpgsqlConnection(backend.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO idempotency_keys (key, request_hash, answer) VALUES ($1, $2, $3)", connection)
            {
                Parameters = { new() { Value = key }, new() { Value = legacyHash }, new() { Value = legacyAnswer } },
            };
            await insert.ExecuteNonQueryAsync();
        }

        var replay = await http.SendAsync(HttpMethod.Post, "/create_client", body, idempotencyKey: key);
        var other = await http.SendAsync(HttpMethod.Post, "/create_client", body + " ", idempotencyKey: key);

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal(id, replay.Id());
        Assert.Empty(replay.Holders());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
    }

    private static string Fill(string template, string rut) =>
        template.Replace("{rut}", rut, StringComparison.Ordinal).Replace("{dotted}", Ruts.Dotted(rut), StringComparison.Ordinal);
}
