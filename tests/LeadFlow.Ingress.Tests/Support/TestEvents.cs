using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LeadFlow.Leads;

namespace LeadFlow.Ingress.Tests.Support;

/// <summary>LeadSubmitted events with unique ids and valid, unique RUTs, as the bus delivers them.</summary>
public static class TestEvents
{
    private static int next = Random.Shared.Next(10_000_000, 90_000_000);

    public static string NewRut()
    {
        var body = Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture);
        return $"{body}-{Rut.CheckDigit(body)}";
    }

    public static string NewEventId() => Guid.NewGuid().ToString();

    public static JsonObject Lead(string? rut = null) => new()
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

    public static JsonObject Envelope(string? id = null, JsonNode? detail = null) => new()
    {
        ["version"] = "0",
        ["id"] = id ?? NewEventId(),
        ["detail-type"] = "LeadSubmitted",
        ["source"] = "crm.leads",
        ["account"] = "123456789012",
        ["time"] = "2026-01-01T12:00:00Z",
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray(),
        ["detail"] = detail ?? Lead(),
    };

    public static string Json(string? id = null) => Envelope(id).ToJsonString();

    public static byte[] Bytes(this JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
