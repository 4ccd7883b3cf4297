using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using Temporalio.Api.Enums.V1;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>Many workflows at once, and the exact shape of a reference history.</summary>
public sealed class ScaleAndHistoryShapeTests
{
    [Fact]
    public async Task FiveHundredWorkflowsInParallel_AllComplete()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handles = await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
            harness.Track(await harness.Client.StartWorkflowAsync((StepsWorkflow wf) => wf.RunAsync(2, 0), harness.Options()))));

        var results = await Task.WhenAll(handles.Select(h => h.GetResultAsync())).WaitAsync(TimeSpan.FromSeconds(90));
        Assert.All(results, result => Assert.Equal(2, result));
    }

    /// <summary>
    /// Expected sequence of a real Temporal server (temporalio/temporal history service) for one activity then
    /// one timer: every workflow task is Scheduled/Started/Completed (mutable state's workflow task state machine);
    /// an activity with a retry policy (the server always sets one) has its ActivityTaskStarted written only
    /// together with its outcome, so Started and Completed are adjacent (transient activity started event); a
    /// completion or timer firing schedules the next workflow task right after it. This is the same sequence the
    /// Temporal docs show for an activity workflow's event history and what `temporal workflow show` prints
    /// against the dev server for this workflow.
    /// </summary>
    [Fact]
    public async Task ActivityThenTimer_WritesTheEventSequenceOfARealServer()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((ActivityThenTimerWorkflow wf) => wf.RunAsync("ref"), harness.Options()));
        await handle.GetResultAsync();

        var history = await handle.FetchHistoryAsync();
        EventType[] expected =
        [
            EventType.WorkflowExecutionStarted,
            EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted, EventType.WorkflowTaskCompleted,
            EventType.ActivityTaskScheduled, EventType.ActivityTaskStarted, EventType.ActivityTaskCompleted,
            EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted, EventType.WorkflowTaskCompleted,
            EventType.TimerStarted, EventType.TimerFired,
            EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted, EventType.WorkflowTaskCompleted,
            EventType.WorkflowExecutionCompleted,
        ];
        Assert.Equal(expected, history.Events.Select(e => e.EventType));
        Assert.Equal(Enumerable.Range(1, expected.Length).Select(i => (long)i), history.Events.Select(e => e.EventId));

        // Cross references a real server writes.
        var events = history.Events.ToList();
        Assert.Equal(2, events[2].WorkflowTaskStartedEventAttributes.ScheduledEventId);
        Assert.Equal(2, events[3].WorkflowTaskCompletedEventAttributes.ScheduledEventId);
        Assert.Equal(3, events[3].WorkflowTaskCompletedEventAttributes.StartedEventId);
        Assert.Equal(4, events[4].ActivityTaskScheduledEventAttributes.WorkflowTaskCompletedEventId);
        Assert.Equal(5, events[5].ActivityTaskStartedEventAttributes.ScheduledEventId);
        Assert.Equal(1, events[5].ActivityTaskStartedEventAttributes.Attempt);
        Assert.Equal(6, events[6].ActivityTaskCompletedEventAttributes.StartedEventId);
        Assert.Equal(10, events[10].TimerStartedEventAttributes.WorkflowTaskCompletedEventId);
        Assert.Equal(11, events[11].TimerFiredEventAttributes.StartedEventId);
        Assert.Equal(15, events[15].WorkflowExecutionCompletedEventAttributes.WorkflowTaskCompletedEventId);
        Assert.False(string.IsNullOrEmpty(events[3].WorkflowTaskCompletedEventAttributes.SdkMetadata?.SdkName), "sdk metadata is kept on WorkflowTaskCompleted");
        Assert.False(string.IsNullOrEmpty(events[5].ActivityTaskStartedEventAttributes.Identity));
        await harness.AssertAllReplayAsync();
    }
}
