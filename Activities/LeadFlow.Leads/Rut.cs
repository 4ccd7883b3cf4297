using System.Diagnostics.CodeAnalysis;

namespace LeadFlow.Leads;

/// <summary>
/// Chilean RUT (rol único tributario, DFL N° 3 of 1969, Ministerio de Hacienda): a body of up to
/// 8 digits and a mod-11 check digit (0-9 or K), written the way the SII (Servicio de Impuestos
/// Internos) prints it, <c>12.345.678-5</c>, and normalised to <c>12345678-5</c>, the form rows are
/// stored under.
/// </summary>
/// <remarks>
/// Accepted spellings, after trimming surrounding white space (<c>k</c> and <c>K</c> alike):
/// <list type="bullet">
/// <item><c>12.345.678-5</c>: the SII layout. Dots are grouping dots: every group after the first has exactly
/// three digits, the first has one to three; a dotted body is always followed by the hyphen.</item>
/// <item><c>12345678-5</c>: the same without dots.</item>
/// <item><c>123456785</c>: digits only; the last character is the check digit (one-box forms, old exports).</item>
/// </list>
/// At most one hyphen, and only right before the single check digit. Leading zeros of the body are dropped
/// (fixed-width exports pad them); what remains is 1 to 8 digits. Rule ids:
/// <c>required</c> (blank), <c>rut.format</c> (any other shape, over <see cref="MaxInputLength"/> characters),
/// <c>rut.checkDigitMissing</c> (a well-formed body with nothing after its hyphen, e.g. <c>15000005-</c>, or a
/// dotted body with no hyphen), <c>rut.checkDigit</c> (the check digit is not the body's mod-11 digit).
/// The web form's hints (<c>wwwroot/lead-rules.js</c>) implement the same rules; a test runs one table through both.
/// </remarks>
public static class Rut
{
    /// <summary>Longest input looked at, white space included (<c>012.345.678-5</c> is 13).</summary>
    public const int MaxInputLength = 16;

    /// <summary>Most significant digits of a body: RUTs run below 100.000.000.</summary>
    public const int MaxBodyDigits = 8;

    private const string FormatMessage = "must be digits with an optional hyphen before the check digit 0-9 or K, dots only between groups of three, e.g. 12.345.678-5";

    /// <summary>Checks <paramref name="input"/> against the rules above and normalises it.</summary>
    /// <param name="input">What the person typed, e.g. <c> 12.345.678-k </c>.</param>
    /// <param name="normalized">On success the body without leading zeros, a hyphen and the upper-case check digit: <c>12345678-K</c>.</param>
    /// <param name="error">On failure the broken rule, phrased without echoing the value.</param>
    /// <param name="field">The field name the error carries.</param>
    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out FieldError? error, string field = "rut")
    {
        normalized = null;
        error = Parse(input, out var body, out var checkDigit) switch
        {
            Shape.Blank => new FieldError(field, "required", "is required"),
            Shape.TooLong => new FieldError(field, "rut.format", $"must be at most {MaxInputLength} characters"),
            Shape.Malformed => new FieldError(field, "rut.format", FormatMessage),
            Shape.CheckDigitMissing => new FieldError(field, "rut.checkDigitMissing", "check digit missing: write it after the hyphen, e.g. 12.345.678-5"),
            _ when CheckDigit(body) is var expected && expected != checkDigit =>
                new FieldError(field, "rut.checkDigit", $"check digit does not match the number (mod-11 gives {expected})"),
            _ => null,
        };
        if (error is not null)
        {
            return false;
        }

        normalized = $"{body}-{checkDigit}";
        return true;
    }

    /// <summary>The mod-11 check digit of a RUT body: weights 2..7 from the right, 11 - sum mod 11, 11 -> 0, 10 -> K.</summary>
    /// <param name="body">ASCII digits only, e.g. <c>12345678</c>.</param>
    public static char CheckDigit(string body)
    {
        var sum = 0;
        var weight = 2;
        for (var i = body.Length - 1; i >= 0; i--)
        {
            sum += (body[i] - '0') * weight;
            weight = weight == 7 ? 2 : weight + 1;
        }

        return (11 - (sum % 11)) switch
        {
            11 => '0',
            10 => 'K',
            var digit => (char)('0' + digit),
        };
    }

    private enum Shape
    {
        Blank,
        TooLong,
        Malformed,
        CheckDigitMissing,
        Complete,
    }

    /// <param name="body">The body's significant digits (no dots, no leading zeros) when the shape is complete.</param>
    private static Shape Parse(string? input, out string body, out char checkDigit)
    {
        body = "";
        checkDigit = '\0';
        if (string.IsNullOrWhiteSpace(input))
        {
            return Shape.Blank;
        }

        if (input.Length > MaxInputLength)
        {
            return Shape.TooLong;
        }

        // Only k is folded: full upper-casing differs between .NET and JS ("ß" becomes "SS" in JS), and the form's copy must agree.
        var text = input.Trim().Replace('k', 'K');
        string bodyText;
        var hyphen = text.IndexOf('-', StringComparison.Ordinal);
        if (hyphen >= 0)
        {
            bodyText = text[..hyphen];
            var rest = text[(hyphen + 1)..];
            if (rest.Length == 0)
            {
                return Body(bodyText) is null ? Shape.Malformed : Shape.CheckDigitMissing;
            }

            if (rest.Length != 1 || !IsCheckDigit(rest[0]))
            {
                return Shape.Malformed;
            }

            checkDigit = rest[0];
        }
        else if (text.Contains('.', StringComparison.Ordinal))
        {
            // Grouping dots leave no room for a check digit without its hyphen: 12.345.678 is a body.
            return Body(text) is null ? Shape.Malformed : Shape.CheckDigitMissing;
        }
        else
        {
            bodyText = text[..^1];
            checkDigit = text[^1];
            if (!IsCheckDigit(checkDigit))
            {
                return Shape.Malformed;
            }
        }

        var digits = Body(bodyText);
        if (digits is null)
        {
            return Shape.Malformed;
        }

        body = digits;
        return Shape.Complete;
    }

    /// <summary>The significant digits of a body (<c>12.345.678</c>, <c>012345678</c>), or null when it breaks the rules.</summary>
    private static string? Body(string text)
    {
        var groups = text.Split('.');
        var dotted = groups.Length > 1;
        for (var i = 0; i < groups.Length; i++)
        {
            var group = groups[i];
            var sized = !dotted || (i == 0 ? group.Length is >= 1 and <= 3 : group.Length == 3);
            if (!sized || group.Length == 0 || !group.All(char.IsAsciiDigit))
            {
                return null;
            }
        }

        var digits = string.Concat(groups).TrimStart('0');
        return digits.Length is >= 1 and <= MaxBodyDigits ? digits : null;
    }

    private static bool IsCheckDigit(char c) => char.IsAsciiDigit(c) || c == 'K';
}
