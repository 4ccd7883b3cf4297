using Google.Protobuf.WellKnownTypes;
using LeadFlow.EmbeddedTemporal.TaskQueues;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// Scheduling, dispatching and starting activity attempts. Retries never touch history: an attempt is just
/// queued again, and only the final outcome is written (see <see cref="ActivityOutcomes"/>).
/// </summary>
internal sealed class ActivityScheduling(ServerState state, ActivityOutcomes outcomes)
{
    /// <summary>Applies a ScheduleActivityTask command already checked by <see cref="CommandApplier.Validate"/>.</summary>
    public void Schedule(WorkflowRun run, ScheduleActivityTaskCommandAttributes command, long workflowTaskCompletedEventId)
    {
        var timeouts = ActivityTimeouts.Resolve(command, run.RunTimeout)!;

        var retryPolicy = ActivityRetryPolicy.WithDefaults(command.RetryPolicy);
        var taskQueue = string.IsNullOrEmpty(command.TaskQueue?.Name) ? run.TaskQueue : command.TaskQueue.Name;
        var scheduled = run.History.Append(new HistoryEvent
        {
            EventType = EventType.ActivityTaskScheduled,
            ActivityTaskScheduledEventAttributes = new ActivityTaskScheduledEventAttributes
            {
                ActivityId = command.ActivityId,
                ActivityType = command.ActivityType,
                TaskQueue = new TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
                Header = command.Header,
                Input = command.Input,
                ScheduleToCloseTimeout = Duration.FromTimeSpan(timeouts.ScheduleToClose),
                ScheduleToStartTimeout = Duration.FromTimeSpan(timeouts.ScheduleToStart),
                StartToCloseTimeout = Duration.FromTimeSpan(timeouts.StartToClose),
                HeartbeatTimeout = Duration.FromTimeSpan(timeouts.Heartbeat),
                WorkflowTaskCompletedEventId = workflowTaskCompletedEventId,
                RetryPolicy = retryPolicy,
                Priority = command.Priority,
            },
        });
        var activity = new ActivityInfo
        {
            ScheduledEventId = scheduled.EventId,
            ScheduledEvent = scheduled,
            ActivityId = command.ActivityId,
            ActivityType = command.ActivityType.Name,
            TaskQueue = taskQueue,
            ScheduleToClose = timeouts.ScheduleToClose,
            ScheduleToStart = timeouts.ScheduleToStart,
            StartToClose = timeouts.StartToClose,
            Heartbeat = timeouts.Heartbeat,
            RetryPolicy = retryPolicy,
            ScheduledTime = DateTime.UtcNow,
        };
        run.Activities[activity.ScheduledEventId] = activity;
        run.ActivityIds[activity.ActivityId] = activity.ScheduledEventId;
        if (activity.Expiration is { } expiration)
        {
            state.Timers.Schedule(expiration, () => outcomes.OnScheduleToCloseTimeout(run, activity));
        }

        Dispatch(run, activity);
    }

    /// <summary>Queues the current attempt. Caller holds the run's lock.</summary>
    public void Dispatch(WorkflowRun run, ActivityInfo activity)
    {
        activity.CurrentAttemptScheduledTime = DateTime.UtcNow;
        activity.NextAttemptScheduleTime = null;
        var attempt = activity.Attempt;
        state.Queues.Activity(run.Namespace, activity.TaskQueue).Add(new ActivityTaskItem(run, activity, attempt));
        if (activity.ScheduleToStart > TimeSpan.Zero && (activity.ScheduleToClose == TimeSpan.Zero || activity.ScheduleToStart < activity.ScheduleToClose))
        {
            state.Timers.Schedule(activity.ScheduleToStart, () => outcomes.OnScheduleToStartTimeout(run, activity, attempt));
        }
    }

    /// <summary>Queues the next attempt after its backoff (the retry timer of the real server).</summary>
    public void DispatchAfter(WorkflowRun run, ActivityInfo activity, TimeSpan backoff)
    {
        var attempt = activity.Attempt;
        state.Timers.Schedule(backoff, () =>
        {
            lock (run.Gate)
            {
                if (ActivityOutcomes.IsCurrent(run, activity, attempt) && !activity.IsStarted)
                {
                    Dispatch(run, activity);
                }
            }
        });
    }

    /// <summary>Starts the attempt for a poller; null when the item went stale.</summary>
    public PollActivityTaskQueueResponse? TryStart(ActivityTaskItem item, PollActivityTaskQueueRequest poll)
    {
        var run = item.Run;
        var activity = item.Activity;
        lock (run.Gate)
        {
            if (!ActivityOutcomes.IsCurrent(run, activity, item.Attempt) || activity.IsStarted)
            {
                return null;
            }

            return StartLocked(run, activity, poll.Identity);
        }
    }

    /// <summary>
    /// Eager execution: the worker that scheduled the activity asked to run it itself (request_eager_execution),
    /// so the attempt starts now and goes back in the RespondWorkflowTaskCompleted response, as the real server
    /// does when eager activities are enabled. The queued item then goes stale.
    /// </summary>
    public PollActivityTaskQueueResponse? TryStartEager(WorkflowRun run, string activityId, string identity) =>
        run.ActivityIds.TryGetValue(activityId, out var scheduledEventId)
        && run.Activities.TryGetValue(scheduledEventId, out var activity)
        && !activity.IsStarted
            ? StartLocked(run, activity, identity)
            : null;

    /// <summary>Caller holds the run's lock and checked the attempt is current and not started.</summary>
    private PollActivityTaskQueueResponse StartLocked(WorkflowRun run, ActivityInfo activity, string identity)
    {
        {
            activity.IsStarted = true;
            activity.StartedTime = DateTime.UtcNow;
            activity.StartedIdentity = identity;
            activity.LastWorkerIdentity = identity;
            activity.StartedRequestId = Guid.NewGuid().ToString();
            var attempt = activity.Attempt;
            if (activity.StartToClose > TimeSpan.Zero)
            {
                state.Timers.Schedule(activity.StartToClose, () => outcomes.OnAttemptTimeout(run, activity, attempt, TimeoutType.StartToClose));
            }

            if (activity.Heartbeat > TimeSpan.Zero)
            {
                ScheduleHeartbeatCheck(run, activity, attempt, activity.StartedTime + activity.Heartbeat);
            }

            var scheduled = activity.ScheduledEvent.ActivityTaskScheduledEventAttributes;
            return new PollActivityTaskQueueResponse
            {
                TaskToken = new TaskToken(TaskTokenKind.ActivityTask, run.RunId, activity.ScheduledEventId, attempt, string.Empty).Encode(),
                WorkflowNamespace = run.Namespace,
                WorkflowType = new Temporalio.Api.Common.V1.WorkflowType { Name = run.WorkflowType },
                WorkflowExecution = run.Execution,
                ActivityType = scheduled.ActivityType,
                ActivityId = activity.ActivityId,
                Header = scheduled.Header,
                Input = scheduled.Input,
                HeartbeatDetails = activity.HeartbeatDetails,
                ScheduledTime = Timestamp.FromDateTime(activity.ScheduledTime),
                CurrentAttemptScheduledTime = Timestamp.FromDateTime(activity.CurrentAttemptScheduledTime),
                StartedTime = Timestamp.FromDateTime(activity.StartedTime),
                Attempt = attempt,
                ScheduleToCloseTimeout = scheduled.ScheduleToCloseTimeout,
                StartToCloseTimeout = scheduled.StartToCloseTimeout,
                HeartbeatTimeout = scheduled.HeartbeatTimeout,
                RetryPolicy = activity.RetryPolicy,
                Priority = scheduled.Priority,
            };
        }
    }

    private void ScheduleHeartbeatCheck(WorkflowRun run, ActivityInfo activity, int attempt, DateTime due) =>
        state.Timers.Schedule(due, () =>
        {
            lock (run.Gate)
            {
                if (!ActivityOutcomes.IsCurrent(run, activity, attempt) || !activity.IsStarted)
                {
                    return;
                }

                var last = activity.LastHeartbeatTime is { } beat && beat > activity.StartedTime ? beat : activity.StartedTime;
                var next = last + activity.Heartbeat;
                if (next > DateTime.UtcNow)
                {
                    ScheduleHeartbeatCheck(run, activity, attempt, next);
                    return;
                }

                outcomes.OnAttemptTimeout(run, activity, attempt, TimeoutType.Heartbeat);
            }
        });
}
