using System.Text.Json;
using LeadFlow.Deployables.Tests.Support;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Lambda;
using Xunit.Abstractions;

namespace LeadFlow.Deployables.Tests;

/// <summary>The ingress Lambda (<c>Ingress/LeadFlow.Ingress.Lambda</c>) starts workflows from bus events: the Temporal client, but no web host and no SQS.</summary>
public sealed class IngressLambdaTests(IngressLambdaPublish fixture, ITestOutputHelper output)
    : LambdaBundleTests(fixture, output, "LeadFlow.Ingress.Lambda"), IClassFixture<IngressLambdaPublish>
{
    [Fact]
    public void CarriesNoAspNetCore() => DeployableAssert.Obeys(Bundle, DeployableRule.NoAspNetCore);

    [Fact]
    public void CarriesNoSqsSdk() => DeployableAssert.Obeys(Bundle, DeployableRule.NoSqsSdk);

    /// <summary>
    /// Started as the managed runtime starts it, from the publish folder and the shared framework alone (the Temporal
    /// SDK's native library included): it starts the event's workflow on a real Temporal server.
    /// </summary>
    [Fact]
    public async Task HandleAsync_RunsFromThePublishedBundleAlone()
    {
        var handler = SamTemplate.Handlers.Single(h => h.Assembly == "LeadFlow.Ingress.Lambda");
        var temporal = await TestTemporal.GetAsync();
        await using var lambda = await LambdaRuntimeProcess.StartAsync(LambdaRuntimeTool.Path, Bundle.Publish.Folder, handler.ToString(), new Dictionary<string, string>
        {
            ["Temporal__Address"] = temporal.Address,
            ["Temporal__Namespace"] = temporal.Namespace,
            ["Temporal__TaskQueue"] = $"deployables-{Guid.NewGuid():N}",
        });
        using var http = new HttpClient();
        var eventId = SampleLeads.NewEventId();

        var (status, functionError, body) = await lambda.InvokeAsync(http, SampleLeads.Envelope(eventId: eventId).ToJsonString());

        Assert.True(status == 200 && functionError is null, $"{handler} answered {status} {functionError}: {body}\n{lambda.StandardError}");
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Started", answer.GetProperty("status").GetString());
        Assert.Equal($"lead-{eventId}", answer.GetProperty("workflowId").GetString());
    }
}
