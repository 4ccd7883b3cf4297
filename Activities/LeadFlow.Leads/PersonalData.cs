using System.Text.RegularExpressions;

namespace LeadFlow.Leads;

/// <summary>Masks personal data (RUT, phone, mail) before it reaches a log line.</summary>
public static partial class PersonalData
{
    /// <summary><c>12345678-5</c> becomes <c>12******-5</c>.</summary>
    public static string MaskRut(string? rut)
    {
        if (string.IsNullOrEmpty(rut))
        {
            return "";
        }

        var dash = rut.LastIndexOf('-');
        var body = dash > 0 ? rut[..dash] : rut[..^1];
        var check = dash > 0 ? rut[(dash + 1)..] : rut[^1..];
        var keep = Math.Min(2, body.Length / 3);
        return $"{body[..keep]}{new string('*', body.Length - keep)}-{check}";
    }

    /// <summary>Keeps the last two digits: <c>+56 9 5454 5454</c> becomes <c>***54</c>.</summary>
    public static string MaskPhone(string? phone)
    {
        var digits = new string((phone ?? "").Where(char.IsAsciiDigit).ToArray());
        return digits.Length <= 2 ? "***" : $"***{digits[^2..]}";
    }

    /// <summary><c>acooper@example.com</c> becomes <c>a***@example.com</c>.</summary>
    public static string MaskMail(string? mail)
    {
        if (string.IsNullOrEmpty(mail))
        {
            return "";
        }

        var at = mail.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : $"{mail[0]}***{mail[at..]}";
    }

    /// <summary>
    /// Free text from elsewhere (a server's failure message, an exception's text) with anything that looks like a mail
    /// address, a RUT or a phone number masked, for answers and logs that must show no personal data. Over-eager on
    /// purpose: a long number that is no phone is masked too.
    /// </summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var redacted = MailLike().Replace(text, m => MaskMail(m.Value));
        redacted = RutLike().Replace(redacted, m => MaskRut(m.Value.Replace(".", "", StringComparison.Ordinal)));
        return PhoneLike().Replace(redacted, m => MaskPhone(m.Value));
    }

    [GeneratedRegex(@"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex MailLike();

    // 12.345.678-5, 12345678-5, 1234567-K: the SII's spellings with a hyphen (a bare digit run is left to PhoneLike).
    [GeneratedRegex(@"(?<![\d.])(\d{1,2}\.\d{3}\.\d{3}|\d{7,8})-[\dkK](?![\w])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex RutLike();

    // Eight or more digits, optionally spaced or led by +: a phone (or a RUT without its hyphen). Not a digit run that
    // is part of a hyphenated id (a GUID's last group) or a word.
    [GeneratedRegex(@"(?<![\w-])\+?\d(?:[ ]?\d){7,}(?![\w-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex PhoneLike();
}
