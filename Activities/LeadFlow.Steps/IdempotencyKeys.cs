namespace LeadFlow.Steps;

/// <summary>
/// One key per lead, run and step (e.g. <c>lead-abc:5f0c...:CreateClient</c>). A retried or replayed
/// step of the same run sends the same key, so the backend replays its first answer instead of
/// writing twice. A redriven lead is a new run with new keys: it must not be answered with rows
/// its failed predecessor created and then undid. The backend's natural key (the RUT) still
/// keeps every run from making a second row.
/// </summary>
public static class IdempotencyKeys
{
    /// <summary>The key's form in words, for documentation that must not drift from <see cref="For"/>.</summary>
    public const string Form = "<lead id>:<run>:<step>";

    /// <param name="leadId">The lead's durable id, <c>lead-&lt;event id&gt;</c>.</param>
    /// <param name="runId">The Temporal run id, or the Step Functions execution name.</param>
    public static string For(string leadId, string runId, string step) => $"{leadId}:{runId}:{step}";
}
