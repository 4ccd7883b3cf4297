using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// The optional <c>eventTime</c> body property of the row creates: when the lead's event happened (the bus event's
/// <c>time</c>), as an RFC 3339 date-time (section 5.6: <c>2026-01-01T12:00:00Z</c>, <c>2026-01-01T09:00:00.5-03:00</c>).
/// Absent or <c>null</c> means unknown (old clients).
/// </summary>
public static partial class LeadEventTime
{
    public const string Property = "eventTime";

    /// <summary>The event time, or null when absent, <c>null</c> or broken (then an <c>eventTime.format</c> error is added).</summary>
    public static DateTimeOffset? Read(JsonElement body, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(Property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && value.GetString() is { } text
            && Rfc3339().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return time;
        }

        errors.Add(new FieldError(Property, "eventTime.format", "must be an RFC 3339 date-time with an offset, e.g. 2026-01-01T12:00:00Z"));
        return null;
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?([Zz]|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
