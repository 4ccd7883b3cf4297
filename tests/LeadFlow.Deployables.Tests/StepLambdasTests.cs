using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Deployables.Tests.Support;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Lambda;
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

    private static string Input(JsonObject envelope) => new JsonObject { ["executionName"] = "deployables", ["event"] = envelope }.ToJsonString();
}
