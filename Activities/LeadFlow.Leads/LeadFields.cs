namespace LeadFlow.Leads;

/// <summary>
/// The rule for each field of the lead contract. The backend validates request bodies and the
/// workflow validates events with these same rules, so a lead the workflow accepts is never
/// refused by the backend for a different reason. The web form's hints (<c>wwwroot/lead-rules.js</c>)
/// are a copy of these rules, held to the same verdicts by a table-driven test.
/// </summary>
/// <remarks>
/// Each rule takes the field name and the value as received (null when absent) and returns null when the
/// value is valid, else the broken rule: <c>required</c>, <c>maxLength</c> (trimmed length),
/// <c>noControlCharacters</c> (Unicode category Cc anywhere), then the field's own rule. The RUT has its
/// own type, <see cref="Rut"/>.
/// </remarks>
public static class LeadFields
{
    public const int MaxNameLength = 100;
    public const int MaxMailLength = 254;
    public const int MaxStoreLength = 64;
    public const int MaxOriginLength = 32;
    public const int MaxPhoneLength = 24;
    public const int MinPhoneDigits = 8;
    public const int MaxPhoneDigits = 15;

    /// <summary>A name or last name: any script, quotes included, stored verbatim.</summary>
    public static FieldError? Name(string field, string? value) => Text(field, value, MaxNameLength, required: true);

    /// <summary>The store (branch) code.</summary>
    public static FieldError? Store(string field, string? value) => Text(field, value, MaxStoreLength, required: true);

    /// <summary>Where the lead came from (<c>web</c>, <c>app</c>); optional.</summary>
    public static FieldError? Origin(string field, string? value) => Text(field, value, MaxOriginLength, required: false);

    /// <summary>
    /// An e-mail address, trimmed, at most <see cref="MaxMailLength"/> characters (RFC 5321 section 4.5.3.1.3),
    /// with the syntax of <see cref="MailAddress"/> (rule <c>mail.format</c>).
    /// </summary>
    public static FieldError? Mail(string field, string? value)
    {
        if (Text(field, value, MaxMailLength, required: true) is { } error)
        {
            return error;
        }

        return MailAddress.SyntaxProblem(value!.Trim()) is { } problem
            ? new FieldError(field, "mail.format", problem)
            : null;
    }

    /// <summary>A phone number: digits, spaces and <c>+ - ( )</c> (<c>phone.format</c>), 8 to 15 digits (<c>phone.digits</c>, ITU-T E.164 allows 15).</summary>
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
}
