using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Deployables.Tests.Support;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Lambda;
using LeadFlow.TestSupport.Telemetry;
using Xunit.Abstractions;

namespace LeadFlow.Deployables.Tests;

/// <summary>The step Lambdas (<c>StepFunctions/LeadFlow.StepFunctions.Lambdas</c>) run the steps against the CRM backend: no web host, no Temporal.</summary>
public sealed class StepLambdasTests(StepLambdasPublish fixture, ITestOutputHelper output)
    : LambdaBundleTests(fixture, output, "LeadFlow.StepFunctions.Lambdas"), IClassFixture<StepLambdasPublish>
{
    [Fact]
    public void CarriesNoAspNetCore() => DeployableAssert.Obeys(Bundle, DeployableRule.NoAspNetCore);

    [Fact]
    public void CarriesNoTemporalSdk() => DeployableAssert.Obeys(Bundle, DeployableRule.NoTemporalSdk);

    /// <summary>
    /// Started as the managed runtime starts it, from the publish folder and the shared framework alone: it answers a
    /// lead, and names a rejected one's error after the exception type, the name the state machine's Catch matches.
    /// </summary>
    [Fact]
    public async Task ReceiveLead_RunsFromThePublishedBundleAlone()
    {
        var handler = SamTemplate.Handlers.Single(h => h.Method == "ReceiveLeadAsync");
        // ReceiveLead calls no backend, but the handlers validate their settings at init, as deployed.
        await using var lambda = await LambdaRuntimeProcess.StartAsync(LambdaRuntimeTool.Path, Bundle.Publish.Folder, handler.ToString(),
            new Dictionary<string, string> { ["Crm__BaseUrl"] = "http://127.0.0.1:9/", ["Crm__ApiKey"] = "unused" });
        using var http = new HttpClient();
        var eventId = SampleLeads.NewEventId();

        var (status, functionError, body) = await lambda.InvokeAsync(http, Input(SampleLeads.Envelope(eventId: eventId)));
        var rejected = await lambda.InvokeAsync(http, Input(SampleLeads.Envelope(SampleLeads.Detail(rut: SampleLeads.InvalidRut()))));

        Assert.True(status == 200 && functionError is null, $"{handler} answered {status} {functionError}: {body}\n{lambda.StandardError}");
        Assert.Equal($"lead-{eventId}", JsonDocument.Parse(body).RootElement.GetProperty("leadId").GetString());
        Assert.Equal("Unhandled", rejected.FunctionError);
        Assert.Equal("LeadRejected", JsonDocument.Parse(rejected.Body).RootElement.GetProperty("errorType").GetString());
    }

    /// <summary>
    /// Deployed with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (here an OTLP/HTTP receiver, as the ADOT layer's collector listens on
    /// localhost:4318), the bundle exports the invocation's span and the step metrics through the real OTLP exporter, and
    /// they have arrived by the time the invocation answered, without the lead's personal data.
    /// </summary>
    [Fact]
    public async Task WithAnOtlpEndpoint_TheInvocationsTelemetryHasArrived_WhenItAnswers()
    {
        var handler = SamTemplate.Handlers.Single(h => h.Method == "ReceiveLeadAsync");
        await using var collector = await OtlpHttpReceiver.StartAsync();
        await using var lambda = await LambdaRuntimeProcess.StartAsync(LambdaRuntimeTool.Path, Bundle.Publish.Folder, handler.ToString(), new Dictionary<string, string>
        {
            ["Crm__BaseUrl"] = "http://127.0.0.1:9/",
            ["Crm__ApiKey"] = "unused",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["AWS_LAMBDA_FUNCTION_NAME"] = "leadflow-ReceiveLead",
        });
        using var http = new HttpClient();
        var envelope = SampleLeads.Envelope();

        var (status, functionError, body) = await lambda.InvokeAsync(http, Input(envelope));

        Assert.True(status == 200 && functionError is null, $"{handler} answered {status} {functionError}: {body}\n{lambda.StandardError}");
        Assert.True(collector.Received("/v1/traces", "ReceiveLead"), $"no span named ReceiveLead arrived: {string.Join(", ", collector.Exports.Select(e => e.Path))}\n{lambda.StandardError}");
        Assert.True(collector.Received("/v1/traces", "leadflow-step-lambdas"), "the spans' resource names no service.name");
        Assert.True(collector.Received("/v1/traces", "leadflow-ReceiveLead"), "the spans' resource names no faas.name");
        Assert.True(collector.Received("/v1/metrics", "leadflow.step.duration"), "the step's duration did not arrive");
        var detail = envelope["detail"]!;
        Assert.DoesNotContain(new[] { detail["rut"]!.GetValue<string>(), detail["phone"]!.GetValue<string>(), detail["mail"]!.GetValue<string>() }, collector.AnyHolds);
    }

    private static string Input(JsonObject envelope) => new JsonObject { ["executionName"] = "deployables", ["event"] = envelope }.ToJsonString();
}
