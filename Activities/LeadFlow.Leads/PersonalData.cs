namespace LeadFlow.Leads;

/// <summary>Masks personal data (RUT, phone, mail) before it reaches a log line.</summary>
public static class PersonalData
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
}
