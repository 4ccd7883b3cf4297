namespace LeadFlow.Activities.Steps;

/// <summary>
/// One key per lead and step (e.g. <c>lead-abc:CreateClient</c>): a retried, replayed or
/// re-driven step sends the same key, so the backend replays its first answer instead of writing twice.
/// </summary>
public static class IdempotencyKeys
{
    public static string For(string leadId, string step) => $"{leadId}:{step}";
}
