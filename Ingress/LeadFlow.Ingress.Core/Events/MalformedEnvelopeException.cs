using LeadFlow.Ingress;

namespace LeadFlow.Ingress.Events;

/// <summary>
/// The bytes are not an EventBridge envelope this system can start a workflow from. Retrying
/// cannot help: a person has to look at the event (it is kept by the dead-letter queue).
/// </summary>
public sealed class MalformedEnvelopeException(string field, string reason, bool tooLarge = false)
    : Exception($"{field}: {reason}"), INamedLambdaError
{
    /// <summary>The envelope field at fault (<c>envelope</c> for the whole document).</summary>
    public string Field { get; } = field;

    public string Reason { get; } = reason;

    /// <summary>The envelope is over the 256 KB EventBridge limit (HTTP answers 413 rather than 400).</summary>
    public bool TooLarge { get; } = tooLarge;

    public string ErrorType => "MalformedEnvelope";
}
