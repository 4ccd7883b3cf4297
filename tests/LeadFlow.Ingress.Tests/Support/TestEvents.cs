using System.Text;
using System.Text.Json.Nodes;
using LeadFlow.TestSupport;

namespace LeadFlow.Ingress.Tests.Support;

/// <summary>LeadSubmitted events with unique ids and valid, unique RUTs, as the bus delivers them.</summary>
public static class TestEvents
{
    public static string NewRut() => SampleLeads.NewRut();

    public static string NewEventId() => SampleLeads.NewEventId();

    public static JsonObject Lead(string? rut = null) => SampleLeads.Detail(rut);

    public static JsonObject Envelope(string? id = null, JsonNode? detail = null) => SampleLeads.Envelope(detail, id);

    public static string Json(string? id = null) => Envelope(id).ToJsonString();

    public static byte[] Bytes(this JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>A body as the intake's machine routes take it: JSON, with a JSON Content-Type.</summary>
    public static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");
}
