using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.TestSupport;

namespace LeadFlow.Workflows.Tests.Support;

/// <summary>LeadSubmitted events with valid, unique RUTs (mod-11 check digit computed), as the bus delivers them.</summary>
public static class TestLeads
{
    /// <summary>A fresh valid RUT, e.g. <c>12345678-5</c>, unique within the test process.</summary>
    public static string NewRut() => SampleLeads.NewRut();

    /// <summary>A RUT whose check digit is wrong.</summary>
    public static string InvalidRut() => SampleLeads.InvalidRut();

    public static JsonObject Detail(string? rut = null) => SampleLeads.Detail(rut);

    /// <summary>The EventBridge envelope around <paramref name="detail"/> as JSON text; a null detail stays null (a broken event).</summary>
    public static string Event(JsonNode? detail, string? eventId = null, string source = "crm.leads", string detailType = "LeadSubmitted")
    {
        var envelope = SampleLeads.Envelope(detail, eventId, source, detailType);
        if (detail is null)
        {
            envelope["detail"] = null;
        }

        return envelope.ToJsonString();
    }

    public static string NewEventId() => SampleLeads.NewEventId();

    /// <summary>The RUT inside an event made by <see cref="Event"/>.</summary>
    public static string RutOf(string eventJson) =>
        JsonDocument.Parse(eventJson).RootElement.GetProperty("detail").GetProperty("rut").GetString()!;
}
