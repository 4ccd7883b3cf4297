using System.Net;
using LeadFlow.TestSupport;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class LeadFailureTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task RecordedFailure_IsListedWithItsFieldErrors()
    {
        var leadId = $"lead-{Guid.NewGuid()}";
        var recorded = await http.PostJsonAsync("/lead_failures", new
        {
            leadId,
            step = "ReceiveLead",
            reason = "The lead is not valid: rut check digit",
            payloadReference = "s3://leads/evt-1.json",
            errors = new[] { new { field = "rut", rule = "rut.checkDigit", message = "check digit does not match" } },
        });
        Assert.Equal(HttpStatusCode.OK, recorded.Status);
        Assert.True(recorded.Json.GetProperty("created").GetBoolean());

        var page = (await http.ReadAsync($"/lead_failures?leadId={leadId}")).Json;

        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("ReceiveLead", item.GetProperty("step").GetString());
        Assert.Equal("s3://leads/evt-1.json", item.GetProperty("payloadReference").GetString());
        Assert.Equal("rut.checkDigit", item.GetProperty("errors")[0].GetProperty("rule").GetString());
        Assert.Equal(recorded.Json.GetProperty("id").GetInt64(), item.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task RecordedEvent_IsListedMasked_AndServedWholeForRedrive()
    {
        var leadId = $"lead-{Guid.NewGuid()}";
        var rut = Ruts.Next();
        var envelope = System.Text.Json.JsonSerializer.SerializeToElement(new { id = leadId[5..], detail = new { rut, mail = "ada@example.com", phone = "+56 9 1234 5678" } });
        var recorded = await http.PostJsonAsync("/lead_failures", new { leadId, step = "CreateClient", reason = "CrmUnavailable: down", @event = envelope });
        Assert.Equal(HttpStatusCode.OK, recorded.Status);
        var id = recorded.Json.GetProperty("id").GetInt64();

        var listed = Assert.Single((await http.ReadAsync($"/lead_failures?leadId={leadId}")).Json.GetProperty("items").EnumerateArray()).GetProperty("event").GetString()!;
        var whole = await http.ReadAsync($"/lead_failures/{id}/event");

        Assert.DoesNotContain(rut, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", listed, StringComparison.Ordinal);
        Assert.Contains("a***@example.com", listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, whole.Status);
        Assert.Equal(rut, whole.Json.GetProperty("detail").GetProperty("rut").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.ReadAsync($"/lead_failures/{id + 100000}/event")).Status);
    }

    [Fact]
    public async Task EventThatIsNoObject_IsRefused()
    {
        var refused = await http.PostJsonAsync("/lead_failures", new { leadId = "lead-x", step = "CreateClient", reason = "r", @event = 42 });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("event", refused.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_AreListedNewestFirstAndPaged()
    {
        var leadId = $"lead-{Guid.NewGuid()}";
        foreach (var step in new[] { "CreateClient", "CreatePartner", "CreateBenefit" })
        {
            await http.PostJsonAsync("/lead_failures", new { leadId, step, reason = "CRM unavailable" });
        }

        var first = (await http.ReadAsync($"/lead_failures?leadId={leadId}&limit=2")).Json;
        var steps = first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("step").GetString()).ToList();
        var next = first.GetProperty("nextBefore").GetInt64();
        var second = (await http.ReadAsync($"/lead_failures?leadId={leadId}&limit=2&before={next}")).Json;

        Assert.Equal(["CreateBenefit", "CreatePartner"], steps);
        Assert.Equal("CreateClient", Assert.Single(second.GetProperty("items").EnumerateArray()).GetProperty("step").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("nextBefore").ValueKind);
    }

    [Fact]
    public async Task SameKey_RecordsTheFailureOnce()
    {
        var leadId = $"lead-{Guid.NewGuid()}";
        var body = new { leadId, step = "CreateClient", reason = "timeout" };

        var first = await http.PostJsonAsync("/lead_failures", body, $"failure-{leadId}");
        var again = await http.PostJsonAsync("/lead_failures", body, $"failure-{leadId}");

        Assert.Equal(first.Text, again.Text);
        Assert.Single((await http.ReadAsync($"/lead_failures?leadId={leadId}")).Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task FailureWithItsUndo_IsListedStepByStep_AndOneWithoutHasAnEmptyList()
    {
        var leadId = $"lead-{Guid.NewGuid()}";
        var compensations = new object[]
        {
            new { step = "CreateBenefit", idempotencyKey = $"{leadId}:r1:CreateBenefit", outcome = "nothing-to-undo" },
            new { step = "CreatePartner", idempotencyKey = $"{leadId}:r1:CreatePartner", outcome = "kept", entity = "partner", id = 4, keptFor = new[] { new { leadId = "lead-e2", runId = "r2" } } },
            new { step = "CreateClient", idempotencyKey = $"{leadId}:r1:CreateClient", outcome = "deleted", entity = "client", id = 3 },
        };
        await http.PostJsonAsync("/lead_failures", new { leadId, step = "CreateBenefit", reason = "CrmRejected: refused", compensations }, $"{leadId}:r1:RecordFailure");
        var plain = $"lead-{Guid.NewGuid()}";
        await http.PostJsonAsync("/lead_failures", new { leadId = plain, step = "ReceiveLead", reason = "LeadRejected: rut" });

        var item = Assert.Single((await http.ReadAsync($"/lead_failures?leadId={leadId}")).Json.GetProperty("items").EnumerateArray());
        var undo = item.GetProperty("compensations").EnumerateArray().ToList();

        Assert.Equal(["nothing-to-undo", "kept", "deleted"], undo.Select(c => c.GetProperty("outcome").GetString()));
        Assert.Equal("lead-e2", undo[1].GetProperty("keptFor")[0].GetProperty("leadId").GetString());
        Assert.Equal(4, undo[1].GetProperty("id").GetInt64());
        Assert.Equal("partner", undo[1].GetProperty("entity").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, undo[0].GetProperty("entity").ValueKind);
        var other = Assert.Single((await http.ReadAsync($"/lead_failures?leadId={plain}")).Json.GetProperty("items").EnumerateArray());
        Assert.Empty(other.GetProperty("compensations").EnumerateArray());
    }

    [Fact]
    public async Task FailureRecordedWithoutUndo_ReplaysForTheSameRequestWithAnEmptyUndo()
    {
        // A retry that sends "compensations": [] means what the first request without them meant.
        var leadId = $"lead-{Guid.NewGuid()}";
        var first = await http.PostJsonAsync("/lead_failures", new { leadId, step = "ReceiveLead", reason = "LeadRejected: rut" }, $"{leadId}:r1:RecordFailure");
        var again = await http.PostJsonAsync("/lead_failures", new { leadId, step = "ReceiveLead", reason = "LeadRejected: rut", compensations = Array.Empty<object>() }, $"{leadId}:r1:RecordFailure");

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Text, again.Text);
    }

    [Theory]
    [InlineData("""{"leadId":"l","step":"s","reason":"x","compensations":{"step":"CreateClient"}}""", "compensations", "type")]
    [InlineData("""{"leadId":"l","step":"s","reason":"x","compensations":[{"step":"CreateClient","outcome":"deleted"}]}""", "compensations", "compensations.item")]
    [InlineData("""{"leadId":"l","step":"s","reason":"x","compensations":[{"step":"CreateClient","idempotencyKey":"k","outcome":"kept","keptFor":[7]}]}""", "compensations", "compensations.item")]
    [InlineData("""{"step":"CreateClient","reason":"x"}""", "leadId", "required")]
    [InlineData("""{"leadId":"l","reason":"x"}""", "step", "required")]
    [InlineData("""{"leadId":"l","step":"CreateClient"}""", "reason", "required")]
    [InlineData("""{"leadId":"l","step":"s","reason":"x","errors":"rut"}""", "errors", "type")]
    [InlineData("""{"leadId":"l","step":"s","reason":"x","errors":[{"message":"m"}]}""", "errors", "errors.item")]
    public async Task InvalidFailure_Is400NamingFieldAndRule(string body, string field, string rule)
    {
        var answer = await http.SendAsync(HttpMethod.Post, "/lead_failures", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains((field, rule), answer.Rules);
    }

    [Fact]
    public async Task LimitOutOfRange_Is400()
    {
        var answer = await http.ReadAsync("/lead_failures?limit=0");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(("limit", "range"), answer.Rules);
    }
}
