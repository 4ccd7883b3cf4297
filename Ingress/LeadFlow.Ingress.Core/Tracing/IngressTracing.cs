using System.Diagnostics;

namespace LeadFlow.Ingress.Tracing;

/// <summary>
/// The span the SQS poller opens around one message, so the workflow start
/// (<c>StartWorkflow:</c> of the Temporal tracing interceptor) and everything after it hang off the delivery. The HTTP
/// intake needs none: ASP.NET Core's request span is the parent there. The ingress Lambda opens one per message of an
/// SQS batch, under its invocation span or under the trace the message carries.
/// </summary>
public static class IngressTracing
{
    /// <summary>The <see cref="ActivitySource"/> name (covered by the shared set-up's <c>LeadFlow.*</c>).</summary>
    public const string SourceName = "LeadFlow.Ingress";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Whether a telemetry set-up listens (otherwise no span is made, so there is nothing to prepare for one).</summary>
    public static bool Listening => Source.HasListeners();

    /// <summary>
    /// A consumer span for one received message, named and tagged after OpenTelemetry's messaging conventions
    /// (<c>process {queue}</c>, <c>messaging.system</c>, <c>messaging.message.id</c>); null when no one listens.
    /// </summary>
    /// <param name="parent">The trace the message carries; default: the current span (or a new trace).</param>
    /// <param name="links">Other spans it belongs with (the batch's invocation when the message brought its own parent).</param>
    public static Activity? ProcessMessage(string system, string queue, string? messageId, ActivityContext parent = default, IEnumerable<ActivityLink>? links = null) =>
        Source.StartActivity(
            $"process {queue}",
            ActivityKind.Consumer,
            parentContext: parent,
            links: links,
            tags:
            [
                new("messaging.system", system),
                new("messaging.operation.type", "process"),
                new("messaging.destination.name", queue),
                new("messaging.message.id", messageId),
            ]);
}
