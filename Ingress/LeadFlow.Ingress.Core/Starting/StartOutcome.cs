using System.Text.Json.Serialization;

namespace LeadFlow.Ingress.Starting;

[JsonConverter(typeof(JsonStringEnumConverter<StartStatus>))]
public enum StartStatus
{
    /// <summary>This delivery started the workflow.</summary>
    Started,

    /// <summary>A workflow for this event already existed (running or closed): nothing new was started.</summary>
    Duplicate,
}

/// <summary>What became of one event.</summary>
/// <param name="ContentDiffers">
/// Only for duplicates: the event reused an id with different content. The first delivery wins;
/// a warning is logged.
/// </param>
public sealed record StartOutcome(string EventId, string WorkflowId, string RunId, StartStatus Status, bool ContentDiffers = false);
