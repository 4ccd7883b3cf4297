using LeadFlow.Ingress.Events;

namespace LeadFlow.Ingress.Starting;

/// <summary>
/// Turns one bus event into one run of the lead onboarding, on whichever orchestrator the host is configured for
/// (<see cref="LeadStarterOptions.Target"/>): the Temporal workflow <c>lead-&lt;event id&gt;</c>
/// (<see cref="LeadWorkflowStarter"/>) or the Step Functions execution named after the event id
/// (<see cref="StepFunctionsLeadStarter"/>). Both are idempotent on the event id: a redelivery is a duplicate.
/// </summary>
public interface ILeadStarter
{
    /// <summary>The event's run: started now, or the one a earlier delivery started (<see cref="StartStatus.Duplicate"/>).</summary>
    /// <exception cref="TemporalUnavailableException">Temporal did not take the start; keep the event.</exception>
    /// <exception cref="OrchestratorUnavailableException">Step Functions did not take the start; keep the event.</exception>
    Task<StartOutcome> StartAsync(LeadEvent leadEvent, CancellationToken cancellationToken = default);
}

/// <summary>Starting from raw bytes, for every <see cref="ILeadStarter"/>.</summary>
public static class LeadStarterExtensions
{
    /// <summary>Reads the envelope (<see cref="EventEnvelopeReader"/>) and starts its lead.</summary>
    /// <exception cref="MalformedEnvelopeException">The bytes are not a usable envelope.</exception>
    public static Task<StartOutcome> StartAsync(this ILeadStarter starter, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(starter);
        return starter.StartAsync(EventEnvelopeReader.Read(envelope.Span), cancellationToken);
    }
}

/// <summary>The orchestrator did not take the start (Step Functions throttled, unreachable or refused us). Keep the event: the Lambda throws, so Lambda's retries and the dead-letter queue keep it.</summary>
public sealed class OrchestratorUnavailableException(string message, Exception? inner = null) : Exception(message, inner), INamedLambdaError
{
    public string ErrorType => "OrchestratorUnavailable";
}
