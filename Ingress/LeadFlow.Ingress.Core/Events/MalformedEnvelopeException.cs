using LeadFlow.Ingress;

namespace LeadFlow.Ingress.Events;

/// <summary>
/// The bytes are not an EventBridge envelope this system can start a workflow from. Retrying
/// cannot help: a person has to look at the event (it is kept by the dead-letter queue).
/// </summary>
public sealed class MalformedEnvelopeException(string field, string reason, bool tooLarge = false, string? rule = null)
    : Exception($"{field}: {reason}"), INamedLambdaError
{
    /// <summary>The JSON text is not JSON (the <see cref="Rule"/> of a syntax error).</summary>
    public const string JsonSyntaxRule = "json.syntax";

    /// <summary>The rule broken, as the backend's problems name them (<c>json.syntax</c>, <c>json.utf8</c>, <c>json.utf16</c>); null when the reason says it all.</summary>
    public string? Rule { get; } = rule;

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
            throw new MalformedEnvelopeException(whole, "is not valid UTF-8 text", rule: "json.utf8");
        }

        if (LeadFlow.Leads.JsonTextCheck.FirstUndecodableString(utf8) is { } field)
        {
            throw new MalformedEnvelopeException(field.Length == 0 ? whole : field, LeadFlow.Leads.JsonTextCheck.Rule, rule: "json.utf16");
        }
    }

    /// <summary>
    /// A JSON syntax error of <paramref name="field"/> in words a person reads: the line and byte (counted from 1) and the
    /// parser's first sentence, without .NET's own <c>LineNumber | BytePositionInLine</c> (counted from 0) or <c>Path</c>.
    /// </summary>
    public static MalformedEnvelopeException JsonSyntax(string field, System.Text.Json.JsonException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var where = error.LineNumber is { } line ? $" at line {line + 1}, byte {error.BytePositionInLine + 1}" : "";
        var message = error.Message;
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            message = cut > 0 ? message[..cut] : message;
        }

        return new MalformedEnvelopeException(field, $"is not valid JSON{where}: {message.TrimEnd()}", rule: JsonSyntaxRule);
    }
}
