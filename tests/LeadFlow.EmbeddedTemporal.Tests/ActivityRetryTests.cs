using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Exceptions;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>Server-side activity retries: backoff, attempt counts, non-retryable errors, timeouts.</summary>
public sealed class ActivityRetryTests
{
    [Fact]
    public async Task FailingActivity_IsRetriedWithConfiguredBackoffAndAttempts()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var scenario = new RetryScenario("backoff", SucceedOnAttempt: 4, "Transient", InitialIntervalMs: 100, BackoffCoefficient: 2, MaximumAttempts: 10, []);
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((RetryingActivityWorkflow wf) => wf.RunAsync(scenario), harness.Options()));

        Assert.Equal("succeeded on attempt 4", await handle.GetResultAsync());
        var calls = harness.Activities.CallsOf("backoff");
        Assert.Equal([1, 2, 3, 4], calls.Select(c => c.Attempt));
        var gaps = calls.Zip(calls.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds).ToList();
        Assert.True(gaps[0] >= 90 && gaps[1] >= 190 && gaps[2] >= 390, $"backoff gaps were {string.Join(", ", gaps)} ms");

        // Intermediate attempts write nothing: one Started (the last attempt, carrying the previous failure).
        var history = await handle.FetchHistoryAsync();
        var started = Assert.Single(history.Events, e => e.EventType == EventType.ActivityTaskStarted);
        Assert.Equal(4, started.ActivityTaskStartedEventAttributes.Attempt);
        Assert.Equal("attempt 3 fails", started.ActivityTaskStartedEventAttributes.LastFailure.Message);
        Assert.DoesNotContain(history.Events, e => e.EventType == EventType.ActivityTaskFailed);
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task MaximumAttempts_StopsRetriesAndFailsTheActivity()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var scenario = new RetryScenario("max", SucceedOnAttempt: 99, "Transient", InitialIntervalMs: 10, BackoffCoefficient: 1, MaximumAttempts: 3, []);
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((RetryingActivityWorkflow wf) => wf.RunAsync(scenario), harness.Options()));

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());
        var activityFailure = Assert.IsType<ActivityFailureException>(failed.InnerException);
        Assert.Equal(RetryState.MaximumAttemptsReached, activityFailure.RetryState);
        Assert.Equal(3, harness.Activities.CallsOf("max").Count);
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task NonRetryableErrorType_StopsRetriesAtOnce()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var scenario = new RetryScenario("fatal", SucceedOnAttempt: 99, "Fatal", InitialIntervalMs: 10, BackoffCoefficient: 1, MaximumAttempts: 10, ["Fatal"]);
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((RetryingActivityWorkflow wf) => wf.RunAsync(scenario), harness.Options()));

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());
        var activityFailure = Assert.IsType<ActivityFailureException>(failed.InnerException);
        Assert.Equal(RetryState.NonRetryableFailure, activityFailure.RetryState);
        Assert.Equal("Fatal", Assert.IsType<ApplicationFailureException>(activityFailure.InnerException).ErrorType);
        Assert.Single(harness.Activities.CallsOf("fatal"));
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task StartToCloseTimeout_TriggersRetry()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((TimingOutActivityWorkflow wf) => wf.RunAsync("start-to-close", 3, false), harness.Options()));

        Assert.Equal("succeeded on attempt 3", await handle.GetResultAsync());
        var history = await handle.FetchHistoryAsync();
        var lastFailure = history.Events.Single(e => e.EventType == EventType.ActivityTaskStarted).ActivityTaskStartedEventAttributes.LastFailure;
        Assert.Equal(TimeoutType.StartToClose, lastFailure.TimeoutFailureInfo.TimeoutType);
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task HeartbeatTimeout_TriggersRetry()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((TimingOutActivityWorkflow wf) => wf.RunAsync("heartbeat", 2, true), harness.Options()));

        Assert.Equal("succeeded on attempt 2", await handle.GetResultAsync());
        var history = await handle.FetchHistoryAsync();
        var lastFailure = history.Events.Single(e => e.EventType == EventType.ActivityTaskStarted).ActivityTaskStartedEventAttributes.LastFailure;
        Assert.Equal(TimeoutType.Heartbeat, lastFailure.TimeoutFailureInfo.TimeoutType);
        await harness.AssertAllReplayAsync();
    }
}
