using System.Text.Json;
using LeadFlow.Leads;

namespace LeadFlow.Leads.Tests;

public class LeadReaderTests
{
    private const string ValidDetail = """
        {"name":"Alice","lastname":"Cooper","rut":"11.111.111-1","phone":"+56 9 5454 5454",
         "mail":"acooper@example.com","store":"ESTACION_CENTRAL","wantsBenefit":true,"origin":"web"}
        """;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static JsonElement With(string property, object? value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(ValidDetail)!.AsObject();
        if (value is null)
        {
            node.Remove(property);
        }
        else
        {
            node[property] = System.Text.Json.Nodes.JsonValue.Create(value);
        }

        return Json(node.ToJsonString());
    }

    [Fact]
    public void ValidDetail_ReadsNormalisedLead()
    {
        Assert.True(LeadReader.TryRead(Json(ValidDetail), out var lead, out var errors), string.Join("; ", errors));
        Assert.Equal(new Lead("Alice", "Cooper", "11111111-1", "+56 9 5454 5454", "acooper@example.com", "ESTACION_CENTRAL", true, "web"), lead);
    }

    [Fact]
    public void PhoneAsJsonNumber_IsAccepted()
    {
        Assert.True(LeadReader.TryRead(With("phone", 56954545454L), out var lead, out _));
        Assert.Equal("56954545454", lead.Phone);
    }

    [Fact]
    public void BranchAlias_FillsStore()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(ValidDetail)!.AsObject();
        node.Remove("store");
        node["branch"] = "MAIPU";
        Assert.True(LeadReader.TryRead(Json(node.ToJsonString()), out var lead, out _));
        Assert.Equal("MAIPU", lead.Store);
    }

    [Fact]
    public void WantsBenefitAsString_IsAccepted()
    {
        Assert.True(LeadReader.TryRead(With("wantsBenefit", "false"), out var lead, out _));
        Assert.False(lead.WantsBenefit);
    }

    [Fact]
    public void NonLatinLettersAndQuotes_AreKeptVerbatim()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(ValidDetail)!.AsObject();
        node["name"] = "José \"Pepe\" Ñuñoa 李";
        node["lastname"] = "O'Brien'); DROP TABLE clients;--";
        Assert.True(LeadReader.TryRead(Json(node.ToJsonString()), out var lead, out _));
        Assert.Equal("José \"Pepe\" Ñuñoa 李", lead.Name);
        Assert.Equal("O'Brien'); DROP TABLE clients;--", lead.Lastname);
    }

    [Theory]
    [InlineData("rut", "11111111-2", "rut.checkDigit")]
    [InlineData("mail", "not-an-address", "mail.format")]
    [InlineData("mail", "a@b", "mail.format")]
    [InlineData("phone", "call me", "phone.format")]
    [InlineData("phone", "1234", "phone.digits")]
    [InlineData("name", "", "required")]
    [InlineData("name", "line\u0001break", "noControlCharacters")]
    [InlineData("store", null, "required")]
    [InlineData("wantsBenefit", "maybe", "type")]
    [InlineData("wantsBenefit", null, "required")]
    public void BrokenField_IsReportedWithFieldAndRule(string field, object? value, string rule)
    {
        Assert.False(LeadReader.TryRead(With(field, value), out _, out var errors));
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(rule, error.Rule);
    }

    [Fact]
    public void OverlongName_IsReported()
    {
        Assert.False(LeadReader.TryRead(With("name", new string('a', LeadFields.MaxNameLength + 1)), out _, out var errors));
        Assert.Equal("maxLength", Assert.Single(errors).Rule);
    }

    [Fact]
    public void FieldOfWrongType_IsReportedNotGuessed()
    {
        Assert.False(LeadReader.TryRead(Json("""{"name":{"first":"A"},"lastname":"C","rut":"11111111-1","phone":"+56954545454","mail":"a@b.cl","store":"X","wantsBenefit":true}"""), out _, out var errors));
        var error = Assert.Single(errors);
        Assert.Equal(("name", "type"), (error.Field, error.Rule));
    }

    [Fact]
    public void EveryMissingField_IsListedAtOnce()
    {
        Assert.False(LeadReader.TryRead(Json("{}"), out _, out var errors));
        Assert.Equal(["name", "lastname", "rut", "phone", "mail", "store", "wantsBenefit"], errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"lead\"")]
    [InlineData("null")]
    public void DetailThatIsNotAnObject_IsRejected(string json)
    {
        Assert.False(LeadReader.TryRead(Json(json), out _, out var errors));
        Assert.Equal(("detail", "type"), (errors[0].Field, errors[0].Rule));
    }

    [Fact]
    public void ErrorMessages_NeverEchoThePersonalValue()
    {
        Assert.False(LeadReader.TryRead(With("rut", "98.765.432-1"), out _, out var errors));
        Assert.DoesNotContain("98", errors[0].Message, StringComparison.Ordinal);
    }
}
