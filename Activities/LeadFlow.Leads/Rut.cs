using System.Diagnostics.CodeAnalysis;

namespace LeadFlow.Leads;

/// <summary>
/// Chilean RUT (rol único tributario): a body of up to 8 digits and a mod-11 check digit (0-9 or K).
/// Accepts the forms people type (<c>11.111.111-1</c>, <c>11111111-1</c>, <c>111111111</c>, lower-case k)
/// and normalises to <c>11111111-1</c>, the form rows are stored under.
/// </summary>
public static class Rut
{
    public const int MaxInputLength = 16;

    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out FieldError? error, string field = "rut")
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = new FieldError(field, "required", "is required");
            return false;
        }

        if (input.Length > MaxInputLength)
        {
            error = new FieldError(field, "rut.format", $"must be at most {MaxInputLength} characters");
            return false;
        }

        var compact = input.Trim().Replace(".", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant().TrimStart('0');
        if (compact.Length < 2 || compact.Length > 9 || !compact[..^1].All(char.IsAsciiDigit) || !(char.IsAsciiDigit(compact[^1]) || compact[^1] == 'K'))
        {
            error = new FieldError(field, "rut.format", "must be digits followed by a check digit 0-9 or K, e.g. 12.345.678-5");
            return false;
        }

        var body = compact[..^1];
        var expected = CheckDigit(body);
        if (compact[^1] != expected)
        {
            error = new FieldError(field, "rut.checkDigit", $"check digit does not match the number (mod-11 gives {expected})");
            return false;
        }

        normalized = $"{body}-{expected}";
        error = null;
        return true;
    }

    /// <summary>The mod-11 check digit of a RUT body: weights 2..7 from the right, 11 - sum mod 11, 11 -> 0, 10 -> K.</summary>
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
}
