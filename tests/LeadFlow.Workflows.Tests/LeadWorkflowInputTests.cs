using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LeadFlow.Steps;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Api.Common.V1;
using Temporalio.Converters;

namespace LeadFlow.Workflows.Tests;

/// <summary>How the workflow reads its raw start arguments, payload by payload, with the SDK's own converter.</summary>
public sealed class LeadWorkflowInputTests
{
    private static readonly IPayloadConverter Converter = DataConverter.Default.PayloadConverter;

    [Fact]
    public void Envelope_IsTheEventText_WithDefaultOptions()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());

        var input = LeadWorkflowInput.Read(Raw(JsonDocument.Parse(eventJson).RootElement), null, Converter);

        Assert.Null(input.Rejection);
        Assert.Equal(JsonDocument.Parse(eventJson).RootElement.GetProperty("id").GetString(), JsonDocument.Parse(input.EventJson!).RootElement.GetProperty("id").GetString());
        Assert.Equal(new LeadOnboardingOptions().RetryWindow, input.Options.RetryWindow);
    }

    [Fact]
    public void LegacyInput_KeepsItsEventAndOptions_UnlessASecondArgumentGivesOthers()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var legacy = Raw(new LeadOnboardingInput(eventJson, new LeadOnboardingOptions { RetryWindow = TimeSpan.FromHours(1) }));

        var own = LeadWorkflowInput.Read(legacy, null, Converter);
        var overridden = LeadWorkflowInput.Read(legacy, Raw(new LeadOnboardingOptions { RetryWindow = TimeSpan.FromHours(2) }), Converter);

        Assert.Equal(eventJson, own.EventJson);
        Assert.Equal(TimeSpan.FromHours(1), own.Options.RetryWindow);
        Assert.Equal(TimeSpan.FromHours(2), overridden.Options.RetryWindow);
    }

    [Fact]
    public void APayloadThatIsNotJson_IsRejected_NamingItsEncoding()
    {
        var bytes = new Payload { Data = ByteString.CopyFrom(Encoding.UTF8.GetBytes("raw bytes")) };
        bytes.Metadata["encoding"] = ByteString.CopyFromUtf8("binary/plain");

        var input = LeadWorkflowInput.Read(new RawValue(bytes), null, Converter);

        Assert.Null(input.EventJson);
        Assert.Equal(LeadErrorTypes.LeadRejected, input.Rejection?.ErrorType);
        Assert.Contains(input.Rejection!.FieldErrors, e => e.Field == "input" && e.Message.Contains("binary/plain", StringComparison.Ordinal));
    }

    [Fact]
    public void NoArgument_IsRejected()
    {
        var input = LeadWorkflowInput.Read(null, null, Converter);

        Assert.Equal(LeadOnboardingSteps.ReceiveLead, input.Rejection?.Step);
        Assert.Contains(input.Rejection!.FieldErrors, e => e.Field == "input" && e.Rule == "required");
    }

    [Fact]
    public void NullAndOtherJson_GoToReceiveLead_WhichSaysWhatIsWrong()
    {
        Assert.Equal("null", LeadWorkflowInput.Read(Raw(null), null, Converter).EventJson);
        Assert.Equal("42", LeadWorkflowInput.Read(Raw(42), null, Converter).EventJson);
        Assert.Equal("not json", LeadWorkflowInput.Read(Raw("not json"), null, Converter).EventJson);
    }

    private static RawValue Raw(object? value) => new(Converter.ToPayload(value));
}
