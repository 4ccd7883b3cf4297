using System.Text.Json.Nodes;
using LeadFlow.TestSupport;

namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>LeadSubmitted envelopes with valid, unique RUTs, as the rule hands them to the state machine.</summary>
public static class TestEvents
{
    public static string NewRut() => SampleLeads.NewRut();

    public static string InvalidRut() => SampleLeads.InvalidRut();

    public static JsonObject Envelope(string rut, string? eventId = null) => SampleLeads.Envelope(SampleLeads.Detail(rut), eventId);

    /// <summary>The execution input the rule's input transformer builds: <c>{"event": envelope}</c>.</summary>
    public static JsonObject ExecutionInput(JsonObject envelope) => new() { ["event"] = envelope.DeepClone() };

    public static string LeadIdOf(JsonObject envelope) => $"lead-{envelope["id"]!.GetValue<string>()}";
}
