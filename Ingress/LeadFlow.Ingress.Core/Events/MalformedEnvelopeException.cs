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

    /// <summary>
    /// Refuses JSON text that .NET cannot turn into strings: invalid UTF-8, or a string whose <c>\u</c> escapes are not valid
    /// UTF-16 (a lone or reversed surrogate, see <see cref="LeadFlow.Leads.JsonTextCheck"/>). Both parse, and only throw when the
    /// string is read (an InvalidOperationException: a 500 on the intake, a poison message for the poller). Found by users and
    /// the property tests; shared by every reader of untrusted bytes (intake, web form, SQS poller, Lambda handler).
    /// </summary>
    /// <param name="utf8">The JSON text.</param>
    /// <param name="whole">The field named when the fault is the document as a whole (<c>envelope</c>, <c>body</c>).</param>
    /// <exception cref="MalformedEnvelopeException">Naming <paramref name="whole"/> for invalid UTF-8, else the string's field (its dotted path).</exception>
    public static void RequireDecodableText(ReadOnlySpan<byte> utf8, string whole)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new MalformedEnvelopeException(whole, "is not valid UTF-8 text");
        }

        if (LeadFlow.Leads.JsonTextCheck.FirstUndecodableString(utf8) is { } field)
        {
            throw new MalformedEnvelopeException(field.Length == 0 ? whole : field, LeadFlow.Leads.JsonTextCheck.Rule);
        }
    }
}
