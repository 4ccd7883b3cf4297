using LeadFlow.Ingress;

namespace LeadFlow.Ingress.Starting;

/// <summary>
/// Temporal could not be reached or did not answer in time. The event was not started and must
/// be kept by the caller: the Lambda handler throws (async retries, then the rule's DLQ), the
/// SQS poller leaves the message, HTTP answers 503.
/// </summary>
public sealed class TemporalUnavailableException(string message, Exception? inner = null)
    : Exception(message, inner), INamedLambdaError
{
    public string ErrorType => "TemporalUnavailable";
}
