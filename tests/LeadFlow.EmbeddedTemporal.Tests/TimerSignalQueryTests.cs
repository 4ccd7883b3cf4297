using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using Temporalio.Client;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>Timers, signals, signal-with-start and queries.</summary>
public sealed class TimerSignalQueryTests
{
    [Fact]
    public async Task Timers_FireInOrderOfTheirDeadlines()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((TimerOrderWorkflow wf) => wf.RunAsync(new List<int> { 600, 200, 400 }), harness.Options()));
        Assert.Equal([200, 400, 600], await handle.GetResultAsync());
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task Signals_AreDeliveredInOrder()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options()));
        foreach (var value in new[] { "a", "b", "c", "done" })
        {
            await handle.SignalAsync(wf => wf.AddAsync(value));
        }

        Assert.Equal(["a", "b", "c", "done"], await handle.GetResultAsync());
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task SignalWithStart_StartsThenSignalsTheRunningWorkflow()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var id = $"sws-{Guid.NewGuid():N}";
        var first = harness.Options(id);
        first.SignalWithStart((SignalCollectorWorkflow wf) => wf.AddAsync("first"));
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), first));

        var second = harness.Options(id);
        second.SignalWithStart((SignalCollectorWorkflow wf) => wf.AddAsync("done"));
        var again = await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), second);

        Assert.Equal(handle.ResultRunId, again.ResultRunId);
        Assert.Equal(["first", "done"], await handle.GetResultAsync());
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task Query_AnswersWhileAnActivityRunsAndAfterCompletion()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((LongActivityWorkflow wf) => wf.RunAsync(TimeSpan.FromSeconds(1)), harness.Options()));

        await WaitUntilAsync(async () => await handle.QueryAsync(wf => wf.Step) == "running activity");
        Assert.Equal("running activity", await handle.QueryAsync(wf => wf.Step));
        Assert.Equal("done", await handle.GetResultAsync());

        // A closed workflow is still queryable: the server sends a query task with the full history.
        Assert.Equal("done", await handle.QueryAsync(wf => wf.Step));
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task Query_OnANonStickyWorkerReplaysTheHistory()
    {
        await using var harness = await TemporalHarness.StartAsync(options => options.MaxCachedWorkflows = 0);
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options()));
        await handle.SignalAsync(wf => wf.AddAsync("x"));
        await WaitUntilAsync(async () => (await handle.QueryAsync(wf => wf.Received())).Contains("x"));
        await handle.SignalAsync(wf => wf.AddAsync("done"));
        Assert.Equal(["x", "done"], await handle.GetResultAsync());
        await harness.AssertAllReplayAsync();
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 15 s");
            await Task.Delay(50);
        }
    }
}
