using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Leads;

namespace LeadFlow.Workflows.Tests.Support;

/// <summary>LeadSubmitted events with valid, unique RUTs (mod-11 check digit computed), as the bus delivers them.</summary>
public static class TestLeads
{
    private static int next = Random.Shared.Next(10_000_000, 90_000_000);

    /// <summary>A fresh valid RUT, e.g. <c>12345678-5</c>, unique within the test process.</summary>
    public static string NewRut()
    {
        var body = Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture);
        return $"{body}-{Rut.CheckDigit(body)}";
    }

    /// <summary>A RUT whose check digit is wrong.</summary>
    public static string InvalidRut()
    {
        var valid = NewRut();
        var wrong = valid[^1] == '1' ? '2' : '1';
        return valid[..^1] + wrong;
    }

    public static JsonObject Detail(string? rut = null) => new()
    {
        ["name"] = "Alice",
        ["lastname"] = "Cooper",
        ["rut"] = rut ?? NewRut(),
        ["phone"] = "+56 9 5454 5454",
        ["mail"] = "acooper@example.com",
        ["store"] = "ESTACION_CENTRAL",
        ["wantsBenefit"] = true,
        ["origin"] = "web",
    };

    /// <summary>The EventBridge envelope around <paramref name="detail"/> as JSON text.</summary>
    public static string Event(JsonNode? detail, string? eventId = null, string source = "crm.leads", string detailType = "LeadSubmitted") =>
        new JsonObject
        {
            ["version"] = "0",
            ["id"] = eventId ?? NewEventId(),
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = "123456789012",
            ["time"] = "2026-01-01T12:00:00Z",
            ["region"] = "us-east-1",
            ["resources"] = new JsonArray(),
            ["detail"] = detail,
        }.ToJsonString();

    public static string NewEventId() => Guid.NewGuid().ToString();

    /// <summary>The RUT inside an event made by <see cref="Event"/>.</summary>
    public static string RutOf(string eventJson) =>
        JsonDocument.Parse(eventJson).RootElement.GetProperty("detail").GetProperty("rut").GetString()!;
}
