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

/// <summary>What became of one delivery from the bus: its lead's start (or duplicate), or an SNS message that is no lead.</summary>
/// <param name="Start">The lead's start; null when the delivery was <paramref name="Ignored"/>.</param>
/// <param name="Ignored">An SNS subscription or unsubscribe confirmation: nothing was started, and the delivery need not be kept.</param>
public sealed record DeliveryOutcome(StartOutcome? Start, Events.SnsMessage? Ignored);
