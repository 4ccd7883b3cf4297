using System.Globalization;
using System.Text.Json.Nodes;
using LeadFlow.Leads;

namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>LeadSubmitted envelopes with valid, unique RUTs, as the rule hands them to the state machine.</summary>
public static class TestEvents
{
    private static int next = Random.Shared.Next(10_000_000, 90_000_000);

    public static string NewRut()
    {
        var body = Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture);
        return $"{body}-{Rut.CheckDigit(body)}";
    }

    public static string InvalidRut()
    {
        var valid = NewRut();
        return valid[..^1] + (valid[^1] == '1' ? '2' : '1');
    }

    public static JsonObject Envelope(string rut, string? eventId = null) => new()
    {
        ["version"] = "0",
        ["id"] = eventId ?? Guid.NewGuid().ToString(),
        ["detail-type"] = "LeadSubmitted",
        ["source"] = "crm.leads",
        ["account"] = "123456789012",
        ["time"] = "2026-01-01T12:00:00Z",
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray(),
        ["detail"] = new JsonObject
        {
            ["name"] = "Alice",
            ["lastname"] = "Cooper",
            ["rut"] = rut,
            ["phone"] = "+56 9 5454 5454",
            ["mail"] = "acooper@example.com",
            ["store"] = "ESTACION_CENTRAL",
            ["wantsBenefit"] = true,
            ["origin"] = "web",
        },
    };

    /// <summary>The execution input the rule's input transformer builds: <c>{"event": envelope}</c>.</summary>
    public static JsonObject ExecutionInput(JsonObject envelope) => new() { ["event"] = envelope.DeepClone() };

    public static string LeadIdOf(JsonObject envelope) => $"lead-{envelope["id"]!.GetValue<string>()}";
}
