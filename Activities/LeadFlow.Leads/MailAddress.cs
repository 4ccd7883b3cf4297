namespace LeadFlow.Leads;

/// <summary>
/// The syntax a lead's mail must have: <c>local-part@domain</c> as mail systems accept it on the wire.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Exactly one <c>@</c> (RFC 5322 section 3.4.1, <c>addr-spec = local-part "@" domain</c>).</item>
/// <item>Local part: the dot-atom form only (RFC 5322 section 3.2.3, RFC 5321 section 4.1.2 <c>Dot-string</c>):
/// atoms of <c>atext</c> (ASCII letters, digits and <c>!#$%&amp;'*+-/=?^_`{|}~</c>) joined by single dots, so no
/// leading, trailing or consecutive dot (<c>ana..perez@example.com</c> is refused). Quoted strings and
/// comments are refused: RFC 5321 section 4.1.2 asks hosts not to define mailboxes that need them. At most 64
/// characters (RFC 5321 section 4.5.3.1.1).</item>
/// <item>Domain: at least two labels joined by single dots; each label 1 to 63 ASCII letters, digits or hyphens,
/// not starting or ending with a hyphen (LDH rule, RFC 1035 section 2.3.1 as relaxed by RFC 1123 section 2.1;
/// internationalised names in their A-label form <c>xn--...</c>, RFC 5890 section 2.3.2.1); the last label is not
/// all digits (RFC 3696 section 2). Address literals (<c>[192.0.2.1]</c>) are refused.</item>
/// <item>No trailing root dot: <c>ana@example.com.</c> is refused by the same rule as <c>ana..perez</c>, an empty
/// part between dots. RFC 5321 section 4.1.2 (<c>Domain = sub-domain *("." sub-domain)</c>) has no root dot, which
/// belongs to DNS master files (RFC 1035 section 5.1), not to mail; dropping it silently would store a second
/// spelling of one address.</item>
/// <item>Whole address at most 254 characters (RFC 5321 section 4.5.3.1.3: a path of 256 octets includes the
/// angle brackets), checked by <see cref="LeadFields.Mail"/> as the field's length.</item>
/// </list>
/// Non-ASCII addresses (SMTPUTF8, RFC 6531) are refused: letters such as <c>ñ</c> must be spelt as the mailbox's
/// provider spells them in ASCII, or the domain in its <c>xn--</c> form. Deliverability is the mail system's job.
/// The web form's hints (<c>wwwroot/lead-rules.js</c>) implement the same checks with the same messages.
/// </remarks>
public static class MailAddress
{
    /// <summary>RFC 5321 section 4.5.3.1.1.</summary>
    public const int MaxLocalPartLength = 64;

    /// <summary>RFC 1035 section 2.3.4.</summary>
    public const int MaxLabelLength = 63;

    private const string Atext = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>The problem with <paramref name="address"/>'s syntax, or null when it is a valid address.</summary>
    /// <param name="address">Trimmed, non-empty, e.g. <c>ana.perez@example.com</c>.</param>
    /// <returns>A message for the person (never echoing the address); the rule id is <c>mail.format</c>.</returns>
    public static string? SyntaxProblem(string address)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == address.Length - 1 || address.IndexOf('@', at + 1) >= 0)
        {
            return "must be an e-mail address like name@example.com";
        }

        var local = address[..at];
        if (local.Length > MaxLocalPartLength)
        {
            return $"must have at most {MaxLocalPartLength} characters before the @";
        }

        if (!local.Split('.').All(atom => atom.Length > 0 && atom.All(IsAtext)))
        {
            return "may have only unaccented letters, digits and !#$%&'*+-/=?^_`{|}~ before the @, with single dots between them";
        }

        var labels = address[(at + 1)..].Split('.');
        if (labels.Length < 2 || !labels.All(IsLdhLabel))
        {
            return $"must have a domain like example.com after the @: unaccented letters, digits and inner hyphens, 1 to {MaxLabelLength} per name, names joined by single dots, no dot at the end";
        }

        return labels[^1].All(char.IsAsciiDigit)
            ? "must end in a top-level domain name such as .cl, not a number"
            : null;
    }

    private static bool IsAtext(char c) => char.IsAsciiLetterOrDigit(c) || Atext.Contains(c, StringComparison.Ordinal);

    private static bool IsLdhLabel(string label) =>
        label.Length is >= 1 and <= MaxLabelLength
        && label[0] != '-' && label[^1] != '-'
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
