using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>
/// What the status reader and the throttled CRM steps rely on, as the real server does it: a failure's own
/// next_retry_delay (service/history/workflow/retry.go), a waiting retry in DescribeWorkflowExecution, and the
/// pollers DescribeTaskQueue reports (service/matching/poller_history.go).
/// </summary>
public sealed class RetryDelayAndPollerTests
{
    [Fact]
    public async Task NextRetryDelay_ReplacesTheBackoff()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((RetryDelayWorkflow wf) => wf.RunAsync("delayed", 2, 1500, 10_000), harness.Options()));

        Assert.Equal("succeeded on attempt 2", await handle.GetResultAsync());
        var calls = harness.Activities.CallsOf("delayed");
        var gap = calls[1].At - calls[0].At;
        Assert.True(gap >= TimeSpan.FromMilliseconds(1450), $"the retry came {gap.TotalMilliseconds:0} ms later; the failure asked for 1500 ms (the policy's own backoff is 50 ms)");
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task NextRetryDelay_IsCappedAtThePolicysMaximumInterval()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((RetryDelayWorkflow wf) => wf.RunAsync("capped", 2, 20_000, 400), harness.Options()));

        Assert.Equal("succeeded on attempt 2", await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(15)));
        var calls = harness.Activities.CallsOf("capped");
        var gap = calls[1].At - calls[0].At;
        Assert.InRange(gap, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AWaitingRetry_IsDescribedWithItsAttemptNextTimeAndLastFailure()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((RetryDelayWorkflow wf) => wf.RunAsync("waiting", 2, 3000, 10_000), harness.Options()));
        await WaitUntilAsync(() => harness.Activities.CallsOf("waiting").Count == 1);

        var pending = await WaitForAsync(async () =>
        {
            var description = await handle.DescribeAsync();
            var activities = await harness.Client.WorkflowService.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
            {
                Namespace = harness.Client.Options.Namespace,
                Execution = new() { WorkflowId = handle.Id, RunId = description.RunId },
            });
            return activities.PendingActivities.SingleOrDefault(a => a.Attempt == 2);
        });

        Assert.Equal(PendingActivityState.Scheduled, pending.State);
        Assert.Equal("attempt 1 asks to wait 3000 ms", pending.LastFailure.Message);
        Assert.NotNull(pending.NextAttemptScheduleTime);
        Assert.NotNull(pending.LastAttemptCompleteTime);
        var interval = pending.NextAttemptScheduleTime.ToDateTime() - pending.LastAttemptCompleteTime.ToDateTime();
        Assert.InRange(interval, TimeSpan.FromMilliseconds(2900), TimeSpan.FromMilliseconds(3100));
        Assert.Equal("succeeded on attempt 2", await handle.GetResultAsync());
    }

    [Fact]
    public async Task NonRetryableFailureOnTheLastAttempt_IsReportedAsNonRetryable()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var scenario = new RetryScenario("last-fatal", SucceedOnAttempt: 99, "Fatal", InitialIntervalMs: 10, BackoffCoefficient: 1, MaximumAttempts: 1, ["Fatal"]);
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((RetryingActivityWorkflow wf) => wf.RunAsync(scenario), harness.Options()));

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());

        Assert.Equal(RetryState.NonRetryableFailure, Assert.IsType<ActivityFailureException>(failed.InnerException).RetryState);
    }

    [Fact]
    public async Task DescribeTaskQueue_ListsTheWorkersPolling_ByIdentityAndLastAccess()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var pollers = await WaitForAsync(async () =>
        {
            var found = await PollersAsync(harness, harness.TaskQueue, TaskQueueType.Unspecified);
            return found.Count > 0 ? found : null;
        });

        var poller = Assert.Single(pollers);
        Assert.Equal(harness.Client.Connection.Options.Identity, poller.Identity);
        Assert.InRange(DateTime.UtcNow - poller.LastAccessTime.ToDateTime(), TimeSpan.Zero, TimeSpan.FromMinutes(1.5));
        Assert.NotEmpty(await PollersAsync(harness, harness.TaskQueue, TaskQueueType.Activity));
        Assert.Empty(await PollersAsync(harness, $"nobody-polls-{Guid.NewGuid():N}", TaskQueueType.Workflow));
    }

    [Fact]
    public async Task DescribeTaskQueue_WithoutAName_IsInvalid()
    {
        await using var harness = await TemporalHarness.StartAsync(startWorker: false);

        var error = await Assert.ThrowsAsync<RpcException>(() => PollersAsync(harness, "", TaskQueueType.Workflow));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, error.Code);
    }

    private static async Task<IReadOnlyList<PollerInfo>> PollersAsync(TemporalHarness harness, string taskQueue, TaskQueueType type) =>
        (await harness.Client.WorkflowService.DescribeTaskQueueAsync(new DescribeTaskQueueRequest
        {
            Namespace = harness.Client.Options.Namespace,
            TaskQueue = new TaskQueue { Name = taskQueue },
            TaskQueueType = type,
        })).Pollers;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 20 s");
            await Task.Delay(20);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "not found in 20 s");
            await Task.Delay(20);
        }
    }
}
