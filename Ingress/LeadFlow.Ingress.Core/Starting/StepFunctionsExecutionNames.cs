using System.Security.Cryptography;
using System.Text;

namespace LeadFlow.Ingress.Starting;

/// <summary>
/// The execution name of a lead's event, so that Step Functions itself refuses a second execution for a redelivered event
/// (a Standard workflow's names are unique per state machine for 90 days,
/// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html). A name is 1 to 80 characters,
/// without whitespace, brackets, wildcards, <c>" # % \ ^ | ~ ` $ &amp; , ; : /</c> or control characters; this one keeps to
/// <c>0-9 A-Z a-z - _</c>, which CloudWatch Logs also needs. An event id that already is such a name (an EventBridge id is a
/// UUID) is the name; any other becomes its safe characters (others as <c>_</c>), at most 63 of them, then <c>-</c> and 16
/// hex digits of its SHA-256, so two ids never share a name and the same id always gets the same one.
/// </summary>
public static class StepFunctionsExecutionNames
{
    /// <summary>The longest execution name Step Functions accepts.</summary>
    public const int MaxLength = 80;

    private const int HashHexDigits = 16;
    private const int MaxPrefix = MaxLength - 1 - HashHexDigits;

    /// <summary>The execution name of the event <paramref name="eventId"/>.</summary>
    public static string For(string eventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        if (eventId.Length <= MaxLength && eventId.All(IsSafe))
        {
            return eventId;
        }

        var prefix = new StringBuilder(Math.Min(eventId.Length, MaxPrefix));
        foreach (var c in eventId.Take(MaxPrefix))
        {
            prefix.Append(IsSafe(c) ? c : '_');
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventId)))[..HashHexDigits];
        return $"{prefix}-{hash}";
    }

    /// <summary>Whether <paramref name="name"/> keeps to the safe characters and length.</summary>
    public static bool IsValid(string name) => name is { Length: > 0 and <= MaxLength } && name.All(IsSafe);

    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
