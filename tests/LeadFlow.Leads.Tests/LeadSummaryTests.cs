using LeadFlow.Leads;

namespace LeadFlow.Leads.Tests;

/// <summary>The one line that names a lead in Temporal (the run's summary): who, which store, never the full RUT, mail or phone.</summary>
public class LeadSummaryTests
{
    [Fact]
    public void ValidLead_NamesThePersonAndStore_WithTheRutMasked()
    {
        var lead = new Lead("Alice", "Cooper", "12345678-5", "+56 9 5454 5454", "acooper@example.com", "ESTACION_CENTRAL", true, "web");

        Assert.Equal("Alice C. · RUT 12******-5 · store ESTACION_CENTRAL · web", LeadSummary.Of(lead));
    }

    [Fact]
    public void Envelope_AsDelivered_DottedRutAndBranchAlias_GiveTheSameLine()
    {
        const string envelope = """
            {"id":"e1","detail":{"name":" Alice ","lastname":"cooper","rut":"12.345.678-5","phone":56954545454,"mail":"acooper@example.com","branch":"ESTACION_CENTRAL","wantsBenefit":true,"origin":"web"}}
            """;

        Assert.Equal("Alice C. · RUT 12******-5 · store ESTACION_CENTRAL · web", LeadSummary.OfEnvelope(envelope));
    }

    [Theory]
    [InlineData("acooper@example.com", "a***@example.com")]
    [InlineData("+56 9 5454 5454", "***54")]
    [InlineData("12.345.678-5", "12******-5")]
    public void PersonalDataTypedIntoAnyField_IsMasked(string typed, string shown)
    {
        var envelope = $$$"""{"detail":{"name":"{{{typed}}}","lastname":"x","rut":"{{{typed}}}","store":"{{{typed}}}","origin":"{{{typed}}}"}}""";

        var summary = LeadSummary.OfEnvelope(envelope);

        Assert.DoesNotContain(typed, summary, StringComparison.Ordinal);
        Assert.Contains(shown, summary, StringComparison.Ordinal);
        Assert.DoesNotContain("5454 5454", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("acooper", summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"id":"e1"}""")]
    [InlineData("""{"detail":"a string"}""")]
    [InlineData("""{"detail":{}}""")]
    public void EnvelopeWithoutAReadableLead_SaysSo(string envelope) =>
        Assert.Equal("lead event without a readable detail", LeadSummary.OfEnvelope(envelope));

    [Fact]
    public void LongFields_AreCut_SoTheLineStaysShort()
    {
        var name = new string('a', 500);

        var summary = LeadSummary.OfEnvelope($$$"""{"detail":{"name":"{{{name}}}","lastname":"{{{name}}}","store":"{{{name}}}","origin":"{{{name}}}"}}""");

        Assert.True(summary.Length <= LeadSummary.MaxLength, summary);
    }
}
