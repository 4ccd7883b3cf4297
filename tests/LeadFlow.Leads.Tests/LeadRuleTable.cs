namespace LeadFlow.Leads.Tests;

/// <summary>One input of one field and the verdict every implementation of the lead rules must give.</summary>
/// <param name="Field">The contract's field: <c>rut</c>, <c>mail</c>, <c>phone</c>, <c>name</c> or <c>store</c>.</param>
/// <param name="Input">As typed or sent; null when absent.</param>
/// <param name="Rule">The broken rule id, or null when the input is valid.</param>
/// <param name="Normalized">For a valid RUT, its stored form.</param>
public sealed record LeadRuleCase(string Field, string? Input, string? Rule, string? Normalized = null);

/// <summary>
/// The lead rules as a table: the C# rules (<see cref="Rut"/>, <see cref="LeadFields"/>), the workflow's
/// <see cref="LeadReader"/> and the web form's <c>lead-rules.js</c> are all held to it.
/// </summary>
public static class LeadRuleTable
{
    private static readonly string Local64 = new('a', 64);

    public static IReadOnlyList<LeadRuleCase> Cases { get; } =
    [
        // RUT, the SII layout and its plain spellings.
        Rut("11111111-1", "11111111-1"),
        Rut("11.111.111-1", "11111111-1"),
        Rut("111111111", "11111111-1"),
        Rut(" 12.345.678-5 ", "12345678-5"),
        Rut("\u00a012345678-5\t", "12345678-5"),
        Rut("10000013-k", "10000013-K"),
        Rut("10.000.013-K", "10000013-K"),
        Rut("10000013K", "10000013-K"),
        Rut("15.000.005-K", "15000005-K"),
        Rut("15000005-k", "15000005-K"),
        Rut("6-K", "6-K"),
        Rut("6k", "6-K"),
        Rut("1-9", "1-9"),
        Rut("999.999-K", "999999-K"),
        Rut("1.000.000-9", "1000000-9"),
        Rut("99.999.999-9", "99999999-9"),
        Rut("012345678-5", "12345678-5"),
        Rut("012.345.678-5", "12345678-5"),

        // RUT: the issue's inputs.
        Rut("15.000.005--K", rule: "rut.format"),
        Rut("15000005-", rule: "rut.checkDigitMissing"),

        // RUT: check digit missing (a complete body, nothing after it).
        Rut("15.000.005-", rule: "rut.checkDigitMissing"),
        Rut("15.000.005", rule: "rut.checkDigitMissing"),
        Rut("1-", rule: "rut.checkDigitMissing"),

        // RUT: without a hyphen the last character is the check digit, so a body alone is read as a shorter RUT.
        Rut("15000005", rule: "rut.checkDigit"),

        // RUT: wrong check digit.
        Rut("11111111-2", rule: "rut.checkDigit"),
        Rut("12345678-K", rule: "rut.checkDigit"),
        Rut("11.111.111-K", rule: "rut.checkDigit"),
        Rut("15000005-0", rule: "rut.checkDigit"),

        // RUT: hyphens.
        Rut("-", rule: "rut.format"),
        Rut("--", rule: "rut.format"),
        Rut("-5", rule: "rut.format"),
        Rut("-15000005-K", rule: "rut.format"),
        Rut("1-5000005", rule: "rut.format"),
        Rut("15000-005-K", rule: "rut.format"),
        Rut("15000005-KK", rule: "rut.format"),
        Rut("15000005-K-", rule: "rut.format"),
        Rut("15000005 -K", rule: "rut.format"),
        Rut("15000005- K", rule: "rut.format"),
        Rut("15000005\u2013K", rule: "rut.format"),

        // RUT: grouping dots only between groups of three.
        Rut("1.5000.005-K", rule: "rut.format"),
        Rut("15000.005-K", rule: "rut.format"),
        Rut("15.000005-K", rule: "rut.format"),
        Rut("15.000.00-5", rule: "rut.format"),
        Rut("1500.0005-K", rule: "rut.format"),
        Rut(".15.000.005-K", rule: "rut.format"),
        Rut("15.000.005.-K", rule: "rut.format"),
        Rut("15..000.005-K", rule: "rut.format"),
        Rut("15.000.005.K", rule: "rut.format"),
        Rut("15.000.005K", rule: "rut.format"),
        Rut("1.234.567.8", rule: "rut.format"),
        Rut("15,000,005-K", rule: "rut.format"),
        Rut("15 000 005-K", rule: "rut.format"),

        // RUT: body and check digit characters, sizes.
        Rut("1234567890-1", rule: "rut.format"),
        Rut("123.456.789-2", rule: "rut.format"),
        Rut("0-0", rule: "rut.format"),
        Rut("000-0", rule: "rut.format"),
        Rut("1234567A-5", rule: "rut.format"),
        Rut("11111111-X", rule: "rut.format"),
        Rut("K", rule: "rut.format"),
        Rut("5", rule: "rut.format"),
        Rut("\uff11\uff15000005-K", rule: "rut.format"),
        Rut("15000005-K\u0000", rule: "rut.format"),
        Rut("11.111.111-1 OR 1=1", rule: "rut.format"),
        Rut("", rule: "required"),
        Rut("   ", rule: "required"),
        Rut(null, rule: "required"),

        // Mail: valid dot-atom addresses.
        Mail("acooper@example.com"),
        Mail("a@b.cl"),
        Mail("ana.perez@example.com"),
        Mail("ANA.Perez@Example.COM"),
        Mail("ana+leads@example.com"),
        Mail("o'brien@example.ie"),
        Mail("!#$%&'*+-/=?^_`{|}~@example.com"),
        Mail("ana@sub.example.co.uk"),
        Mail("ana@123.example.com"),
        Mail("ana@a-b.cl"),
        Mail("ana@xn--and-6ma2c.cl"),
        Mail("ana@example.c"),
        Mail(" ana@example.com "),
        Mail("\u00a0ana@example.com"),
        Mail($"{Local64}@example.com"),
        Mail($"ana@{new string('a', 63)}.com"),

        // Mail: the issue's inputs, one rule (no empty part between dots).
        Mail("ana..perez@example.com", "mail.format"),
        Mail("ana@example.com.", "mail.format"),

        // Mail: dots.
        Mail(".ana@example.com", "mail.format"),
        Mail("ana.@example.com", "mail.format"),
        Mail("ana@.example.com", "mail.format"),
        Mail("ana@example..com", "mail.format"),
        Mail("ana@.", "mail.format"),

        // Mail: shape.
        Mail("not-an-address", "mail.format"),
        Mail("a@b", "mail.format"),
        Mail("ana@example", "mail.format"),
        Mail("@example.cl", "mail.format"),
        Mail("ana@", "mail.format"),
        Mail("ana@@example.com", "mail.format"),
        Mail("ana@b@example.com", "mail.format"),

        // Mail: local part characters and length.
        Mail("ana perez@example.com", "mail.format"),
        Mail("\"ana perez\"@example.com", "mail.format"),
        Mail("\"ana\"@example.com", "mail.format"),
        Mail("ana(work)@example.com", "mail.format"),
        Mail("ana,perez@example.com", "mail.format"),
        Mail("josé@example.cl", "mail.format"),
        Mail("\ufeffana@example.com", "mail.format"),
        Mail($"{Local64}a@example.com", "mail.format"),

        // Mail: domain labels (LDH, 1-63, no leading or trailing hyphen, no all-numeric top-level name).
        Mail("ana@-example.com", "mail.format"),
        Mail("ana@example-.com", "mail.format"),
        Mail("ana@exa_mple.com", "mail.format"),
        Mail("ana@ñandú.cl", "mail.format"),
        Mail($"ana@{new string('a', 64)}.com", "mail.format"),
        Mail("ana@example.123", "mail.format"),
        Mail("ana@192.0.2.1", "mail.format"),
        Mail("ana@[192.0.2.1]", "mail.format"),
        Mail("ana@example.com:25", "mail.format"),

        // Mail: field rules before the syntax.
        Mail("", "required"),
        Mail(" ", "required"),
        Mail(null, "required"),
        Mail($"{new string('a', 250)}@b.cl", "maxLength"),
        Mail("ana@example.com\n", "noControlCharacters"),
        Mail("ana@example.com\u0085", "noControlCharacters"),

        // Phone, name and store: the form's other hints.
        new("phone", "+56 9 5454 5454", null),
        new("phone", "56954545454", null),
        new("phone", "+56 (9) 5454-5454", null),
        new("phone", "call me", "phone.format"),
        new("phone", "\u0665\u0666\u0669\u0665\u0664\u0665\u0664\u0665\u0664", "phone.format"),
        new("phone", "1234", "phone.digits"),
        new("phone", "1234567890123456", "phone.digits"),
        new("phone", "", "required"),
        new("phone", new string('1', 25), "maxLength"),
        new("name", "José \"Pepe\" Ñuñoa 李", null),
        new("name", "O'Brien'); DROP TABLE clients;--", null),
        new("name", "", "required"),
        new("name", "\u0085", "required"),
        new("name", "line\u0001break", "noControlCharacters"),
        new("name", "a\u0080", "noControlCharacters"),
        new("name", new string('a', 101), "maxLength"),
        new("name", $" {new string('a', 100)} ", null),
        new("store", "ESTACION_CENTRAL", null),
        new("store", null, "required"),
        new("store", new string('S', 65), "maxLength"),
    ];

    /// <summary>Field, input, rule (empty when valid), normalised RUT (empty when none).</summary>
    public static TheoryData<string, string?, string, string> Rows()
    {
        var rows = new TheoryData<string, string?, string, string>();
        foreach (var c in Cases)
        {
            rows.Add(c.Field, c.Input, c.Rule ?? "", c.Normalized ?? "");
        }

        return rows;
    }

    /// <summary>The C# verdict: the broken rule (null when valid) and, for a RUT, the normalised form.</summary>
    public static (FieldError? Error, string? Normalized) Judge(string field, string? input)
    {
        switch (field)
        {
            case "rut":
                return Leads.Rut.TryNormalize(input, out var normalized, out var error) ? (null, normalized) : (error, null);
            case "mail":
                return (LeadFields.Mail(field, input), null);
            case "phone":
                return (LeadFields.Phone(field, input), null);
            case "name":
                return (LeadFields.Name(field, input), null);
            case "store":
                return (LeadFields.Store(field, input), null);
            default:
                throw new ArgumentOutOfRangeException(nameof(field), field, "no rule for this field");
        }
    }

    private static LeadRuleCase Rut(string? input, string? normalized = null, string? rule = null) => new("rut", input, rule, normalized);

    private static LeadRuleCase Mail(string? input, string? rule = null) => new("mail", input, rule);
}
