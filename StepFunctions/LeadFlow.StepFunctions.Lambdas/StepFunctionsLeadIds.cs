using System.Text.Json;

namespace LeadFlow.StepFunctions;

/// <summary>
/// The lead id is <c>lead-&lt;event id&gt;</c>, the same value as the Temporal workflow id, so both
/// hosts send the backend the same idempotency keys (<c>lead-&lt;event id&gt;:&lt;step&gt;</c>). It is
/// read from the event rather than the execution name: an EventBridge rule cannot name the
/// executions it starts, and a duplicate delivery must still map to the same keys.
/// </summary>
public static class StepFunctionsLeadIds
{
    public static string? FromEvent(JsonElement envelope)
    {
        if (envelope.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var parsed = JsonDocument.Parse(envelope.GetString() ?? "");
                return FromEvent(parsed.RootElement);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return envelope.ValueKind == JsonValueKind.Object
            && envelope.TryGetProperty("id", out var id)
            && id.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(id.GetString())
                ? $"lead-{id.GetString()}"
                : null;
    }

    /// <summary>The event's id when it has one, else the execution name (the starter's own id for the lead).</summary>
    public static string Resolve(JsonElement? envelope, string? executionName) =>
        (envelope is { } e ? FromEvent(e) : null)
        ?? (string.IsNullOrWhiteSpace(executionName)
            ? throw new ArgumentException("The event has no id and the execution no name: nothing identifies the lead", nameof(executionName))
            : executionName);
}
