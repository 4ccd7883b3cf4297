using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>Terminate, cancel, continue-as-new, describe and list.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Terminate_ClosesTheWorkflowAsTerminated()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options()));
        await handle.SignalAsync(wf => wf.AddAsync("x"));
        await handle.TerminateAsync("enough");

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());
        Assert.IsType<TerminatedFailureException>(failed.InnerException);
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await handle.DescribeAsync()).Status);
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task Cancel_CancelsTheRunningActivityAndTheWorkflow()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((LongActivityWorkflow wf) => wf.RunAsync(TimeSpan.FromSeconds(30)), harness.Options()));
        await TimerSignalQueryTests.WaitUntilAsync(async () => await handle.QueryAsync(wf => wf.Step) == "running activity");
        await handle.CancelAsync();

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());
        Assert.IsType<CanceledFailureException>(failed.InnerException);
        var history = await handle.FetchHistoryAsync();
        Assert.Contains(history.Events, e => e.EventType == EventType.ActivityTaskCanceled);
        Assert.Equal(EventType.WorkflowExecutionCanceled, history.Events.Last().EventType);
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task ContinueAsNew_ChainsRunsAndTheResultFollowsThem()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((CountdownWorkflow wf) => wf.RunAsync(2, 0), harness.Options()));

        Assert.Equal(3, await handle.GetResultAsync());
        var latest = harness.Track(harness.Client.GetWorkflowHandle<CountdownWorkflow>(handle.Id));
        var description = await latest.DescribeAsync();
        Assert.NotEqual(handle.ResultRunId, description.RunId);
        Assert.Equal(WorkflowExecutionStatus.Completed, description.Status);

        var runs = new List<WorkflowExecution>();
        await foreach (var execution in harness.Client.ListWorkflowsAsync($"WorkflowId = '{handle.Id}'"))
        {
            runs.Add(execution);
        }

        Assert.Equal(3, runs.Count);
        Assert.Equal(2, runs.Count(r => r.Status == WorkflowExecutionStatus.ContinuedAsNew));
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task List_FiltersByTypeAndStatus()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var running = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options()));
        await harness.Track(await harness.Client.StartWorkflowAsync((OutcomeWorkflow wf) => wf.RunAsync(false), harness.Options())).GetResultAsync();

        var found = new List<string>();
        await foreach (var execution in harness.Client.ListWorkflowsAsync($"WorkflowType = 'SignalCollectorWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '{harness.TaskQueue}'"))
        {
            found.Add(execution.Id);
        }

        Assert.Equal([running.Id], found);
        var count = await harness.Client.CountWorkflowsAsync($"TaskQueue = '{harness.TaskQueue}'");
        Assert.Equal(2, count.Count);
        await running.SignalAsync(wf => wf.AddAsync("done"));
        await running.GetResultAsync();
    }
}
