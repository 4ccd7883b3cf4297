using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Leads;

namespace LeadFlow.Leads.Tests;

/// <summary>
/// The rules themselves (what the backend calls) and the workflow's <see cref="LeadReader"/> held to one table,
/// <see cref="LeadRuleTable"/>; <see cref="WebFormRulesTests"/> holds the web form's copy to it.
/// </summary>
public sealed class LeadRuleTableTests
{
    private const string ValidDetail = """
        {"name":"Alice","lastname":"Cooper","rut":"11.111.111-1","phone":"+56 9 5454 5454",
         "mail":"acooper@example.com","store":"ESTACION_CENTRAL","wantsBenefit":true,"origin":"web"}
        """;

    [Theory]
    [MemberData(nameof(LeadRuleTable.Rows), MemberType = typeof(LeadRuleTable))]
    public void Rules_GiveTheTablesVerdict(string field, string? input, string rule, string normalized)
    {
        var (error, actualNormalized) = LeadRuleTable.Judge(field, input);

        Assert.Equal(rule, error?.Rule ?? "");
        Assert.Equal(normalized, actualNormalized ?? "");
        if (error is not null)
        {
            Assert.Equal(field, error.Field);
            var echoed = input?.Trim() ?? "";
            Assert.True(echoed.Length < 6 || !error.Message.Contains(echoed, StringComparison.Ordinal), $"the message echoes the value: {error.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(LeadRuleTable.Rows), MemberType = typeof(LeadRuleTable))]
    public void LeadReader_GivesTheTablesVerdict(string field, string? input, string rule, string normalized)
    {
        var detail = JsonNode.Parse(ValidDetail)!.AsObject();
        detail.Remove(field);
        if (input is not null)
        {
            detail[field] = input;
        }

        var read = LeadReader.TryRead(JsonDocument.Parse(detail.ToJsonString()).RootElement, out var lead, out var errors);

        if (rule.Length == 0)
        {
            Assert.True(read, string.Join("; ", errors));
            var stored = field switch
            {
                "rut" => lead!.Rut,
                "mail" => lead!.Mail,
                "phone" => lead!.Phone,
                "name" => lead!.Name,
                _ => lead!.Store,
            };
            Assert.Equal(field == "rut" ? normalized : input!.Trim(), stored);
        }
        else
        {
            Assert.False(read);
            var error = Assert.Single(errors);
            Assert.Equal((field, rule), (error.Field, error.Rule));
        }
    }

    [Fact]
    public void Table_CoversEveryRuleOfRutAndMail()
    {
        var rules = LeadRuleTable.Cases.Where(c => c.Field is "rut" or "mail").Select(c => c.Rule).ToHashSet();

        Assert.Superset(new HashSet<string?> { null, "required", "rut.format", "rut.checkDigitMissing", "rut.checkDigit", "mail.format", "maxLength", "noControlCharacters" }, rules);
    }
}
