using System.Text.RegularExpressions;

namespace LeadFlow.Leads;

/// <summary>
/// The rule for each field of the lead contract. The backend validates request bodies and the
/// workflow validates events with these same rules, so a lead the workflow accepts is never
/// refused by the backend for a different reason.
/// </summary>
public static partial class LeadFields
{
    public const int MaxNameLength = 100;
    public const int MaxMailLength = 254;
    public const int MaxStoreLength = 64;
    public const int MaxOriginLength = 32;
    public const int MaxPhoneLength = 24;
    public const int MinPhoneDigits = 8;
    public const int MaxPhoneDigits = 15;

    public static FieldError? Name(string field, string? value) => Text(field, value, MaxNameLength, required: true);

    public static FieldError? Store(string field, string? value) => Text(field, value, MaxStoreLength, required: true);

    public static FieldError? Origin(string field, string? value) => Text(field, value, MaxOriginLength, required: false);

    public static FieldError? Mail(string field, string? value)
    {
        if (Text(field, value, MaxMailLength, required: true) is { } error)
        {
            return error;
        }

        return MailPattern().IsMatch(value!.Trim())
            ? null
            : new FieldError(field, "mail.format", "must be an e-mail address like name@example.com");
    }

    public static FieldError? Phone(string field, string? value)
    {
        if (Text(field, value, MaxPhoneLength, required: true) is { } error)
        {
            return error;
        }

        var trimmed = value!.Trim();
        if (!trimmed.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')'))
        {
            return new FieldError(field, "phone.format", "may contain only digits, spaces and + - ( )");
        }

        var digits = trimmed.Count(char.IsAsciiDigit);
        return digits is < MinPhoneDigits or > MaxPhoneDigits
            ? new FieldError(field, "phone.digits", $"must have {MinPhoneDigits} to {MaxPhoneDigits} digits")
            : null;
    }

    private static FieldError? Text(string field, string? value, int maxLength, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required ? new FieldError(field, "required", "is required") : null;
        }

        if (value.Trim().Length > maxLength)
        {
            return new FieldError(field, "maxLength", $"must be at most {maxLength} characters");
        }

        // Quotes, SQL fragments and any script are fine (stored verbatim); control characters are not:
        // they break CSV exports and terminals of the legacy CRM.
        return value.Any(char.IsControl)
            ? new FieldError(field, "noControlCharacters", "must not contain control characters")
            : null;
    }

    // Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the mail system's job.
    [GeneratedRegex(@"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex MailPattern();
}
