using System.Text;
using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Tests.Support;

namespace LeadFlow.Ingress.Tests;

public sealed class EnvelopeReaderTests
{
    [Theory]
    [InlineData("{\"id\":\"1\",\"detail\":{\"name\":", "envelope")]
    [InlineData("[1,2]", "envelope")]
    [InlineData("\"text\"", "envelope")]
    [InlineData("{\"id\":\"1\",\"source\":\"crm.leads\"}", "detail")]
    [InlineData("{\"id\":\"1\",\"detail\":\"{}\"}", "detail")]
    [InlineData("{\"id\":\"1\",\"detail\":[]}", "detail")]
    [InlineData("{\"id\":42,\"detail\":{}}", "id")]
    [InlineData("{\"id\":\"\",\"detail\":{}}", "id")]
    [InlineData("{\"id\":\"1\",\"source\":7,\"detail\":{}}", "source")]
    [InlineData("{\"id\":\"1\",\u0001\"detail\":{}}", "envelope")]
    [InlineData("{\"id\":\"1\",\"detail\":{\"name\":\"A\u0007\"}}", "envelope")]
    [InlineData("", "envelope")]
    public void MalformedEnvelope_IsRefusedNamingTheField(string json, string field)
    {
        var error = Assert.Throws<MalformedEnvelopeException>(() => EventEnvelopeReader.Read(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedJson_ReasonSaysWhere()
    {
        var error = Assert.Throws<MalformedEnvelopeException>(() => EventEnvelopeReader.Read("{\"id\":\"1\",\"detail\":{\"name\":"u8));

        Assert.Contains("not valid JSON at line 1", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvelopeOver256KB_IsRefusedAsTooLarge()
    {
        var envelope = TestEvents.Envelope();
        envelope["detail"]!["notes"] = new string('x', 300 * 1024);

        var error = Assert.Throws<MalformedEnvelopeException>(() => EventEnvelopeReader.Read(envelope.Bytes()));

        Assert.True(error.TooLarge);
        Assert.Equal("envelope", error.Field);
    }

    [Fact]
    public void EnvelopeWithId_KeepsItsIdAndText()
    {
        var json = TestEvents.Json("evt-1");

        var read = EventEnvelopeReader.Read(Encoding.UTF8.GetBytes(json));

        Assert.Equal("evt-1", read.EventId);
        Assert.False(read.IdWasDerived);
        Assert.Equal(json, read.EnvelopeJson);
    }

    [Fact]
    public void EnvelopeWithoutId_GetsAStableIdFromItsBytes()
    {
        var envelope = TestEvents.Envelope();
        envelope.Remove("id");

        var first = EventEnvelopeReader.Read(envelope.Bytes());
        var again = EventEnvelopeReader.Read(envelope.Bytes());
        envelope["detail"]!["name"] = "Bob";
        var other = EventEnvelopeReader.Read(envelope.Bytes());

        Assert.True(first.IdWasDerived);
        Assert.Equal("sha256-" + first.ContentSha256, first.EventId);
        Assert.Equal(first.EventId, again.EventId);
        Assert.NotEqual(first.EventId, other.EventId);
    }

    [Fact]
    public void InvalidLead_IsNotTheEnvelopesBusiness()
    {
        var envelope = TestEvents.Envelope(detail: new System.Text.Json.Nodes.JsonObject { ["rut"] = "not a rut" });

        var read = EventEnvelopeReader.Read(envelope.Bytes());

        Assert.False(read.IdWasDerived);
    }
}
