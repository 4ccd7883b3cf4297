using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>
/// Closed runs leave the embedded server once their namespace's retention has passed, as on a real server, so a
/// local server can stay up for days; open runs and namespaces with a longer retention keep theirs.
/// </summary>
public sealed class RetentionTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ClosedRunsOlderThanTheRetention_AreGoneFromListAndDescribe_OpenRunsAndLongerRetentionsStay()
    {
        await using var embedded = await EmbeddedServer.StartAsync(options =>
        {
            options.Namespaces.Add("short-lived");
            options.NamespaceRetention["short-lived"] = Short;
        });
        var shortLived = await embedded.ConnectAsync("short-lived");
        var kept = await embedded.ConnectAsync("default");
        foreach (var client in new[] { shortLived, kept })
        {
            await EmbeddedServer.DeclareLeadAttributesAsync(client);
            embedded.StartWorker(client, typeof(TaggedLeadWorkflow));
        }

        var described = await shortLived.Connection.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "short-lived" });
        Assert.Equal(Short, described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());

        var closed = new List<WorkflowHandle>();
        foreach (var ending in new[] { "complete", "fail" })
        {
            closed.Add(await RunToEndAsync(shortLived, embedded.TaskQueue, ending));
        }

        var keptRun = await RunToEndAsync(kept, embedded.TaskQueue, "complete");
        var open = await shortLived.StartWorkflowAsync((TaggedLeadWorkflow wf) => wf.RunAsync("Pending", "CreateClient", "wait"), new WorkflowOptions($"open-{Guid.NewGuid():N}", embedded.TaskQueue));

        await Eventually.FindAsync(
            async () => await shortLived.ListWorkflowsAsync("ExecutionStatus != 'Running'").AnyAsync() ? null : (bool?)true,
            what: "the closed runs of short-lived to be deleted");

        foreach (var handle in closed)
        {
            var gone = await Assert.ThrowsAsync<RpcException>(() => handle.DescribeAsync());
            Assert.Equal(RpcException.StatusCode.NotFound, gone.Code);
        }

        Assert.Equal([open.Id], await shortLived.ListWorkflowsAsync(string.Empty).Select(w => w.Id).ToListAsync());
        Assert.Equal(1, (await shortLived.CountWorkflowsAsync(string.Empty)).Count);
        Assert.Equal(keptRun.Id, (await keptRun.DescribeAsync()).Id);
        await open.SignalAsync(wf => wf.ReleaseAsync());
        await open.GetResultAsync();
    }

    [Fact]
    public async Task UpdateNamespace_ChangesTheRetention_ThatDescribeNamespaceReports()
    {
        await using var embedded = await EmbeddedServer.StartAsync();
        var client = await embedded.ConnectAsync();
        var service = client.Connection.WorkflowService;
        Assert.Equal(TimeSpan.FromDays(1), (await service.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" })).Config.WorkflowExecutionRetentionTtl.ToTimeSpan());

        await service.UpdateNamespaceAsync(new UpdateNamespaceRequest
        {
            Namespace = "default",
            Config = new NamespaceConfig { WorkflowExecutionRetentionTtl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(72)) },
        });

        Assert.Equal(TimeSpan.FromHours(72), (await service.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" })).Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
    }

    private static async Task<WorkflowHandle> RunToEndAsync(TemporalClient client, string taskQueue, string ending)
    {
        var handle = await client.StartWorkflowAsync((TaggedLeadWorkflow wf) => wf.RunAsync("Done", "CreateBenefit", ending), new WorkflowOptions($"closed-{Guid.NewGuid():N}", taskQueue));
        try
        {
            await handle.GetResultAsync();
        }
        catch (WorkflowFailedException) when (ending == "fail")
        {
            // The failing run ends this way.
        }

        return handle;
    }
}
