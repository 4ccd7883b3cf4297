using LeadFlow.Ingress.Events;
using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// Starts what one delivery from the bus carries: the envelope as it is, or the one inside an SNS notification
    /// (keyed by that inner event's id, so a redelivery is a duplicate). An SNS subscription or unsubscribe
    /// confirmation starts nothing: it is logged with its topic (and how to confirm) and reported as ignored.
    /// </summary>
    /// <exception cref="TemporalUnavailableException">Temporal did not take the start; keep the delivery.</exception>
    /// <exception cref="OrchestratorUnavailableException">Step Functions did not take the start; keep the delivery.</exception>
    Task<DeliveryOutcome> StartAsync(BusDelivery delivery, CancellationToken cancellationToken = default);
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

/// <summary>What every <see cref="ILeadStarter"/> does with a <see cref="BusDelivery"/>, whichever orchestrator it starts.</summary>
public static class BusDeliveries
{
    /// <summary>A lead is started with <paramref name="starter"/>; an SNS control message is logged and reported as ignored.</summary>
    /// <exception cref="TemporalUnavailableException">Temporal did not take the start; keep the delivery.</exception>
    /// <exception cref="OrchestratorUnavailableException">Step Functions did not take the start; keep the delivery.</exception>
    public static async Task<DeliveryOutcome> StartAsync(ILeadStarter starter, BusDelivery delivery, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(starter);
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(logger);
        switch (delivery)
        {
            case BusDelivery.Lead lead:
                return new DeliveryOutcome(await starter.StartAsync(lead.Event, cancellationToken), null);
            case BusDelivery.SnsControl { Message: var control }:
                LogIgnored(logger, control);
                return new DeliveryOutcome(null, control);
            default:
                throw new ArgumentOutOfRangeException(nameof(delivery), delivery, "unknown delivery");
        }
    }

    /// <summary>
    /// The one log line of an SNS message that is not a lead. A subscription waits for a person to confirm it: the
    /// line says how, since this project never visits the SubscribeURL itself.
    /// </summary>
    private static void LogIgnored(ILogger logger, SnsMessage control)
    {
        if (control.Type == SnsMessage.SubscriptionConfirmationType)
        {
            logger.LogWarning(
                "Ignored an SNS {Type} from topic {TopicArn} (message {MessageId}): not a lead. To receive leads from this topic, confirm the subscription: aws sns confirm-subscription --topic-arn {SubscriptionTopicArn} --token {Token}",
                control.Type, control.TopicArn, control.MessageId, control.TopicArn, control.Token ?? "<token>");
        }
        else
        {
            logger.LogInformation("Ignored an SNS {Type} from topic {TopicArn} (message {MessageId}): not a lead", control.Type, control.TopicArn, control.MessageId);
        }
    }
}

/// <summary>The orchestrator did not take the start (Step Functions throttled, unreachable or refused us). Keep the event: the Lambda throws, so Lambda's retries and the dead-letter queue keep it.</summary>
public sealed class OrchestratorUnavailableException(string message, Exception? inner = null) : Exception(message, inner), INamedLambdaError
{
    public string ErrorType => "OrchestratorUnavailable";
}
