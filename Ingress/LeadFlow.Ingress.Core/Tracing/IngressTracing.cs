using System.Diagnostics;

namespace LeadFlow.Ingress.Tracing;

/// <summary>
/// The span the SQS poller opens around one message, so the workflow start
/// (<c>StartWorkflow:</c> of the Temporal tracing interceptor) and everything after it hang off the delivery. The HTTP
/// intake needs none: ASP.NET Core's request span is the parent there. (The ingress Lambda exports no telemetry yet:
/// README, "Observability".)
/// </summary>
public static class IngressTracing
{
    /// <summary>The <see cref="ActivitySource"/> name (covered by the shared set-up's <c>LeadFlow.*</c>).</summary>
    public const string SourceName = "LeadFlow.Ingress";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A consumer span for one received message, named and tagged after OpenTelemetry's messaging conventions
    /// (<c>process {queue}</c>, <c>messaging.system</c>, <c>messaging.message.id</c>); null when no one listens.
    /// </summary>
    public static Activity? ProcessMessage(string system, string queue, string? messageId) =>
        Source.StartActivity(
            $"process {queue}",
            ActivityKind.Consumer,
            parentContext: default,
            tags:
            [
                new("messaging.system", system),
                new("messaging.operation.type", "process"),
                new("messaging.destination.name", queue),
                new("messaging.message.id", messageId),
            ]);
}
