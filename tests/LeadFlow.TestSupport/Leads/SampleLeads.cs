using System.Globalization;
using System.Text.Json.Nodes;
using LeadFlow.Leads;

namespace LeadFlow.TestSupport;

/// <summary>
/// LeadSubmitted events as the bus delivers them, with unique event ids and valid RUTs (mod-11 check
/// digit computed) that are unique within the test process, so test classes sharing a database never collide.
/// </summary>
public static class SampleLeads
{
    private static int next = Random.Shared.Next(10_000_000, 90_000_000);

    /// <summary>A fresh valid RUT, e.g. <c>12345678-5</c>.</summary>
    public static string NewRut()
    {
        var body = Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture);
        return $"{body}-{Rut.CheckDigit(body)}";
    }

    /// <summary>A fresh RUT whose check digit is wrong.</summary>
    public static string InvalidRut()
    {
        var valid = NewRut();
        return valid[..^1] + (valid[^1] == '1' ? '2' : '1');
    }

    public static string NewEventId() => Guid.NewGuid().ToString();

    /// <summary>A valid lead (the event's <c>detail</c>) in the original contract's field names.</summary>
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

    /// <summary>The EventBridge envelope around <paramref name="detail"/> (a valid lead when null).</summary>
    public static JsonObject Envelope(JsonNode? detail = null, string? eventId = null, string source = "crm.leads", string detailType = "LeadSubmitted") => new()
    {
        ["version"] = "0",
        ["id"] = eventId ?? NewEventId(),
        ["detail-type"] = detailType,
        ["source"] = source,
        ["account"] = "123456789012",
        ["time"] = "2026-01-01T12:00:00Z",
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray(),
        ["detail"] = detail ?? Detail(),
    };
}
