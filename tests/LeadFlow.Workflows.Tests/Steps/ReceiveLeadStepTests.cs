using System.Text.Json.Nodes;
using LeadFlow.Steps;
using LeadFlow.Workflows.Tests.Support;
using Microsoft.Extensions.Options;

namespace LeadFlow.Workflows.Tests.Steps;

public sealed class ReceiveLeadStepTests
{
    private readonly ReceiveLeadStep step = new(Options.Create(new LeadEventOptions()));

    [Fact]
    public void ValidEvent_ReturnsTheNormalisedLead()
    {
        var detail = TestLeads.Detail("11.111.111-1");
        detail["phone"] = 56954545454;
        detail.Remove("store");
        detail["branch"] = "PROVIDENCIA";

        var lead = step.Receive(TestLeads.Event(detail));

        Assert.Equal("11111111-1", lead.Rut);
        Assert.Equal("56954545454", lead.Phone);
        Assert.Equal("PROVIDENCIA", lead.Store);
        Assert.True(lead.WantsBenefit);
        Assert.Equal("web", lead.Origin);
    }

    [Fact]
    public void MissingDetail_IsRejectedNamingDetail()
    {
        var rejected = Assert.Throws<LeadRejectedException>(() => step.Receive(TestLeads.Event(detail: null)));

        Assert.Contains(rejected.FieldErrors, e => e.Field == "detail" && e.Rule == "required");
        Assert.Equal(LeadErrorTypes.LeadRejected, rejected.ErrorType);
        Assert.False(rejected.Retryable);
    }

    [Fact]
    public void DetailNotAnObject_IsRejected()
    {
        var rejected = Assert.Throws<LeadRejectedException>(() => step.Receive(TestLeads.Event(JsonValue.Create("a lead"))));

        Assert.Contains(rejected.FieldErrors, e => e.Field == "detail" && e.Rule == "type");
    }

    [Fact]
    public void WrongSourceOrDetailType_IsRejectedNamingBoth()
    {
        var rejected = Assert.Throws<LeadRejectedException>(() =>
            step.Receive(TestLeads.Event(TestLeads.Detail(), source: "someone.else", detailType: "OrderPlaced")));

        Assert.Contains(rejected.FieldErrors, e => e.Field == "source");
        Assert.Contains(rejected.FieldErrors, e => e.Field == "detail-type");
    }

    [Fact]
    public void ConfiguredSourceAndDetailType_AreAccepted()
    {
        var custom = new ReceiveLeadStep(Options.Create(new LeadEventOptions { Source = "shop.web", DetailType = "LeadCreated" }));

        var lead = custom.Receive(TestLeads.Event(TestLeads.Detail(), source: "shop.web", detailType: "LeadCreated"));

        Assert.Equal("Alice", lead.Name);
    }

    [Fact]
    public void InvalidFields_AreAllNamedWithoutEchoingPersonalData()
    {
        var detail = TestLeads.Detail(TestLeads.InvalidRut());
        detail["mail"] = "not-an-address";
        detail.Remove("wantsBenefit");

        var rejected = Assert.Throws<LeadRejectedException>(() => step.Receive(TestLeads.Event(detail)));

        Assert.Equal(["mail", "rut", "wantsBenefit"], rejected.FieldErrors.Select(e => e.Field).Order());
        Assert.Contains(rejected.FieldErrors, e => e.Rule == "rut.checkDigit");
        Assert.DoesNotContain("not-an-address", rejected.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"a string\"")]
    public void EnvelopeThatIsNotAJsonObject_IsRejected(string eventJson)
    {
        var rejected = Assert.Throws<LeadRejectedException>(() => step.Receive(eventJson));

        Assert.Contains(rejected.FieldErrors, e => e.Field == "event");
    }
}
