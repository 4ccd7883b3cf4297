using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// How an activity ends: completed, failed, canceled or timed out, or retried. Intermediate attempts write
/// nothing; the final outcome writes ActivityTaskStarted (carrying the attempt and the previous attempt's
/// failure) followed by the outcome event, as the real server does for activities with a retry policy.
/// Callers hold the run's lock except for the timer callbacks, which take it.
/// </summary>
internal sealed class ActivityOutcomes(WorkflowTasks workflowTasks)
{
    /// <summary>Set once wiring is done (scheduling and outcomes need each other).</summary>
    public ActivityScheduling Scheduling { get; set; } = null!;

    public static bool IsCurrent(WorkflowRun run, ActivityInfo activity, int attempt) =>
        run.IsOpen
        && run.Activities.TryGetValue(activity.ScheduledEventId, out var current)
        && ReferenceEquals(current, activity)
        && activity.Attempt == attempt;

    public void Complete(WorkflowRun run, ActivityInfo activity, Payloads? result, string identity) =>
        Finish(run, activity, startedEventId => new HistoryEvent
        {
            EventType = EventType.ActivityTaskCompleted,
            ActivityTaskCompletedEventAttributes = new ActivityTaskCompletedEventAttributes
            {
                Result = result,
                ScheduledEventId = activity.ScheduledEventId,
                StartedEventId = startedEventId,
                Identity = identity,
            },
        });

    /// <summary>A failed attempt: retried after its backoff, or written as ActivityTaskFailed.</summary>
    public void Fail(WorkflowRun run, ActivityInfo activity, Failure failure, string identity, Payloads? lastHeartbeatDetails)
    {
        if (lastHeartbeatDetails is not null)
        {
            activity.HeartbeatDetails = lastHeartbeatDetails;
        }

        var (retryState, backoff) = ActivityRetryPolicy.Next(activity, failure, DateTime.UtcNow);
        if (retryState == RetryState.InProgress)
        {
            RetryLater(run, activity, failure, backoff);
            return;
        }

        Finish(run, activity, startedEventId => new HistoryEvent
        {
            EventType = EventType.ActivityTaskFailed,
            ActivityTaskFailedEventAttributes = new ActivityTaskFailedEventAttributes
            {
                Failure = failure,
                ScheduledEventId = activity.ScheduledEventId,
                StartedEventId = startedEventId,
                Identity = identity,
                RetryState = retryState,
            },
        });
    }

    public void Cancel(WorkflowRun run, ActivityInfo activity, Payloads? details, string identity) =>
        Finish(run, activity, startedEventId => CanceledEvent(activity, startedEventId, details, identity));

    /// <summary>RequestCancelActivityTask: a not-yet-started activity is canceled at once, a started one is told on its next heartbeat.</summary>
    public bool RequestCancel(WorkflowRun run, long scheduledEventId, long workflowTaskCompletedEventId)
    {
        var requested = run.History.Append(new HistoryEvent
        {
            EventType = EventType.ActivityTaskCancelRequested,
            ActivityTaskCancelRequestedEventAttributes = new ActivityTaskCancelRequestedEventAttributes
            {
                ScheduledEventId = scheduledEventId,
                WorkflowTaskCompletedEventId = workflowTaskCompletedEventId,
            },
        });
        if (!run.Activities.TryGetValue(scheduledEventId, out var activity))
        {
            // Already finished; its outcome is among the buffered events and will follow.
            return false;
        }

        activity.CancelRequestedEventId = requested.EventId;
        if (activity.IsStarted)
        {
            return false;
        }

        Remove(run, activity);
        run.History.Append(CanceledEvent(activity, 0, null, string.Empty));
        return true;
    }

    /// <summary>StartToClose or heartbeat timeout of one attempt: retried like a failure.</summary>
    public void OnAttemptTimeout(WorkflowRun run, ActivityInfo activity, int attempt, TimeoutType timeoutType)
    {
        lock (run.Gate)
        {
            if (!IsCurrent(run, activity, attempt) || !activity.IsStarted)
            {
                return;
            }

            var failure = TimeoutFailure(activity, timeoutType);
            var (retryState, backoff) = ActivityRetryPolicy.Next(activity, failure, DateTime.UtcNow);
            if (retryState == RetryState.InProgress)
            {
                RetryLater(run, activity, failure, backoff);
                return;
            }

            FinishTimedOut(run, activity, failure, retryState);
        }
    }

    /// <summary>ScheduleToStart timeouts are not retried by the server.</summary>
    public void OnScheduleToStartTimeout(WorkflowRun run, ActivityInfo activity, int attempt)
    {
        lock (run.Gate)
        {
            if (IsCurrent(run, activity, attempt) && !activity.IsStarted)
            {
                FinishTimedOut(run, activity, TimeoutFailure(activity, TimeoutType.ScheduleToStart), RetryState.NonRetryableFailure);
            }
        }
    }

    public void OnScheduleToCloseTimeout(WorkflowRun run, ActivityInfo activity)
    {
        lock (run.Gate)
        {
            if (IsCurrent(run, activity, activity.Attempt))
            {
                FinishTimedOut(run, activity, TimeoutFailure(activity, TimeoutType.ScheduleToClose), RetryState.Timeout);
            }
        }
    }

    private void RetryLater(WorkflowRun run, ActivityInfo activity, Failure failure, TimeSpan backoff)
    {
        var now = DateTime.UtcNow;
        activity.LastAttemptCompleteTime = now;
        activity.NextAttemptScheduleTime = now + backoff;
        activity.LastFailure = failure;
        activity.Attempt++;
        activity.IsStarted = false;
        Scheduling.DispatchAfter(run, activity, backoff);
    }

    private void FinishTimedOut(WorkflowRun run, ActivityInfo activity, Failure failure, RetryState retryState) =>
        Finish(run, activity, startedEventId => new HistoryEvent
        {
            EventType = EventType.ActivityTaskTimedOut,
            ActivityTaskTimedOutEventAttributes = new ActivityTaskTimedOutEventAttributes
            {
                Failure = failure,
                ScheduledEventId = activity.ScheduledEventId,
                StartedEventId = startedEventId,
                RetryState = retryState,
            },
        });

    /// <summary>Removes the activity now and writes Started + outcome (buffered while a workflow task runs).</summary>
    private void Finish(WorkflowRun run, ActivityInfo activity, Func<long, HistoryEvent> outcome)
    {
        Remove(run, activity);
        var started = activity.IsStarted ? StartedEvent(activity) : null;
        workflowTasks.WriteOrBuffer(run, () =>
        {
            var startedEventId = started is null ? 0 : run.History.Append(started).EventId;
            run.History.Append(outcome(startedEventId));
        });
    }

    private static void Remove(WorkflowRun run, ActivityInfo activity)
    {
        run.Activities.Remove(activity.ScheduledEventId);
        run.ActivityIds.Remove(activity.ActivityId);
    }

    private static HistoryEvent StartedEvent(ActivityInfo activity) => new()
    {
        EventType = EventType.ActivityTaskStarted,
        EventTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(activity.StartedTime),
        ActivityTaskStartedEventAttributes = new ActivityTaskStartedEventAttributes
        {
            ScheduledEventId = activity.ScheduledEventId,
            Identity = activity.StartedIdentity,
            RequestId = activity.StartedRequestId,
            Attempt = activity.Attempt,
            LastFailure = activity.LastFailure,
        },
    };

    private static HistoryEvent CanceledEvent(ActivityInfo activity, long startedEventId, Payloads? details, string identity) => new()
    {
        EventType = EventType.ActivityTaskCanceled,
        ActivityTaskCanceledEventAttributes = new ActivityTaskCanceledEventAttributes
        {
            Details = details,
            LatestCancelRequestedEventId = activity.CancelRequestedEventId,
            ScheduledEventId = activity.ScheduledEventId,
            StartedEventId = startedEventId,
            Identity = identity,
        },
    };

    private static Failure TimeoutFailure(ActivityInfo activity, TimeoutType timeoutType)
    {
        var name = timeoutType switch
        {
            TimeoutType.StartToClose => "StartToClose",
            TimeoutType.Heartbeat => "Heartbeat",
            TimeoutType.ScheduleToStart => "ScheduleToStart",
            _ => "ScheduleToClose",
        };
        return new Failure
        {
            Message = $"activity {name} timeout",
            Source = "Server",
            Cause = timeoutType == TimeoutType.ScheduleToClose ? activity.LastFailure : null,
            TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = timeoutType, LastHeartbeatDetails = activity.HeartbeatDetails },
        };
    }
}
