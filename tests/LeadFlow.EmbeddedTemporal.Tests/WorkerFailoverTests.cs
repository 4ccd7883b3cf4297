using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Network;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>A worker leaves mid-workflow (gracefully, or by crashing) and another worker finishes the workflow.</summary>
public sealed class WorkerFailoverTests
{
    [Fact]
    public async Task GracefulShutdown_NewWorkerFinishesTheWorkflowAtOnce()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options()));
        await handle.SignalAsync(wf => wf.AddAsync("before"));
        await TimerSignalQueryTests.WaitUntilAsync(async () => (await handle.QueryAsync(wf => wf.Received())).Contains("before"));

        // Graceful stop sends ShutdownWorker, so the sticky queue is released without waiting for its timeout.
        await harness.StopWorkerAsync();
        harness.StartWorker();
        var started = DateTime.UtcNow;
        await handle.SignalAsync(wf => wf.AddAsync("done"));

        Assert.Equal(["before", "done"], await handle.GetResultAsync());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4), "the new worker should not have waited for a sticky timeout");
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task CrashedWorker_StickyTaskFallsBackToTheNormalQueue()
    {
        await using var harness = await TemporalHarness.StartAsync(startWorker: false);
        var server = await TestTemporal.GetAsync();
        await using var proxy = new TcpProxy(server.Address);
        var crashingClient = await TemporalClient.ConnectAsync(new(proxy.Address) { Namespace = server.Namespace });
        var crashingWorker = new TemporalWorker(crashingClient, harness.WorkerOptions(options =>
        {
            options.StickyQueueScheduleToStartTimeout = TimeSpan.FromSeconds(1);
            options.GracefulShutdownTimeout = TimeSpan.Zero;
        }));
        using var crashingStop = new CancellationTokenSource();
        var crashingRun = crashingWorker.ExecuteAsync(crashingStop.Token);

        var handle = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options()));
        await handle.SignalAsync(wf => wf.AddAsync("before"));
        await TimerSignalQueryTests.WaitUntilAsync(async () => (await handle.QueryAsync(wf => wf.Received())).Contains("before"));

        // The worker's process "dies": its connection is cut and it never calls ShutdownWorker.
        proxy.Kill();
        await Task.Delay(500);
        harness.StartWorker();
        await handle.SignalAsync(wf => wf.AddAsync("done"));

        Assert.Equal(["before", "done"], await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        var history = await handle.FetchHistoryAsync();

        // Normally the sticky task times out ScheduleToStart (1 s here); if the cut connection had already taken
        // the task, it times out StartToClose instead (10 s), exactly as on a real server.
        Assert.Contains(history.Events, e => e.EventType == EventType.WorkflowTaskTimedOut);
        await harness.AssertAllReplayAsync();

        await crashingStop.CancelAsync();
        await Task.WhenAny(crashingRun, Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
