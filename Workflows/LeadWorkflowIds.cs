namespace LeadFlow.Workflows;

/// <summary>
/// A lead's workflow id comes from its bus event's id, so a duplicate delivery of the same event
/// finds the existing run instead of starting a second one.
/// </summary>
public static class LeadWorkflowIds
{
    public static string ForEvent(string eventId) => $"lead-{eventId}";
}
