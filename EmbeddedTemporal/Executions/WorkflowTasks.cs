using Google.Protobuf.WellKnownTypes;
using LeadFlow.EmbeddedTemporal.TaskQueues;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// The workflow-task life cycle of the real history service: schedule (normal or sticky queue), start on
/// poll, time out, and the buffering of events that arrive while a task runs. Callers hold the run's lock
/// except where a method takes it itself.
/// </summary>
internal sealed class WorkflowTasks(ServerState state)
{
    /// <summary>Schedules a workflow task unless one is already scheduled or running (at most one per run).</summary>
    public void ScheduleIfNeeded(WorkflowRun run)
    {
        if (!run.IsOpen || run.WorkflowTask is not null)
        {
            return;
        }

        var sticky = run.StickyQueue is { } stickyName
            && state.Queues.FindWorkflow(run.Namespace, stickyName)?.HasRecentPoller(state.Options.StickyPollerUnavailableWindow) == true;
        if (!sticky)
        {
            // Matching answers StickyWorkerUnavailable and history resets stickiness: the normal queue takes over.
            run.StickyQueue = null;
        }

        var task = new WorkflowTaskInfo
        {
            Attempt = run.WorkflowTaskAttempt,
            ScheduledTime = DateTime.UtcNow,
            QueueName = sticky ? run.StickyQueue! : run.TaskQueue,
            OnStickyQueue = sticky,
        };
        run.WorkflowTask = task;
        if (!task.IsTransient)
        {
            task.ScheduledEventId = run.History.Append(ScheduledEvent(run, task)).EventId;
        }

        state.Queues.Workflow(run.Namespace, task.QueueName).Add(new WorkflowTaskItem(run, task, null));
        if (sticky)
        {
            state.Timers.Schedule(run.StickyScheduleToStartTimeout, () => OnStickyScheduleToStartTimeout(run, task));
        }
    }

    /// <summary>Starts the task for a poller; null when the item went stale (task completed, run closed...).</summary>
    public PollWorkflowTaskQueueResponse? TryStart(WorkflowTaskItem item, PollWorkflowTaskQueueRequest poll)
    {
        var run = item.Run;
        var task = item.Task!;
        lock (run.Gate)
        {
            if (!run.IsOpen || !ReferenceEquals(run.WorkflowTask, task) || task.IsStarted)
            {
                return null;
            }

            task.StartedTime = DateTime.UtcNow;
            task.Identity = poll.Identity;
            task.RequestId = Guid.NewGuid().ToString();
            if (task.IsTransient)
            {
                // Transient attempts get their ids now; the events are only written if this attempt completes.
                task.ScheduledEventId = run.History.NextEventId;
                task.StartedEventId = task.ScheduledEventId + 1;
            }
            else
            {
                task.StartedEventId = run.History.Append(StartedEvent(run, task)).EventId;
            }

            task.AttachedQueries.AddRange(run.QueriesForNextTask);
            run.QueriesForNextTask.Clear();
            state.Timers.Schedule(run.WorkflowTaskTimeout, () => OnStartToCloseTimeout(run, task));
            return BuildPollResponse(run, task);
        }
    }

    /// <summary>Writes events buffered during a workflow task; true when there were any (a new task is then due).</summary>
    public static bool FlushBuffered(WorkflowRun run)
    {
        if (run.BufferedWrites.Count == 0)
        {
            return false;
        }

        var writes = run.BufferedWrites.ToList();
        run.BufferedWrites.Clear();
        foreach (var write in writes)
        {
            write();
        }

        return true;
    }

    /// <summary>Writes now, or after the running workflow task completes (then a new task is scheduled).</summary>
    public void WriteOrBuffer(WorkflowRun run, Action write)
    {
        if (run.WorkflowTaskInFlight)
        {
            run.BufferedWrites.Add(write);
            return;
        }

        write();
        ScheduleIfNeeded(run);
    }

    /// <summary>Writes the Scheduled/Started events of a transient attempt that is about to be recorded.</summary>
    public static void PersistTransient(WorkflowRun run, WorkflowTaskInfo task)
    {
        if (!task.IsTransient || run.History.NextEventId != task.ScheduledEventId)
        {
            return;
        }

        run.History.Append(ScheduledEvent(run, task));
        run.History.Append(StartedEvent(run, task));
    }

    /// <summary>Ends the current task after a failure or timeout and schedules the next attempt on the normal queue.</summary>
    public void Retry(WorkflowRun run, bool incrementAttempt)
    {
        run.WorkflowTask = null;
        run.StickyQueue = null;
        if (incrementAttempt)
        {
            run.WorkflowTaskAttempt++;
        }

        FlushBuffered(run);
        var attempt = run.WorkflowTaskAttempt;
        var backoff = attempt <= 2 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(10, Math.Pow(2, attempt - 3)));
        if (backoff == TimeSpan.Zero)
        {
            ScheduleIfNeeded(run);
            return;
        }

        // The real server also backs off a workflow task that keeps failing, so a broken worker does not spin.
        state.Timers.Schedule(backoff, () =>
        {
            lock (run.Gate)
            {
                if (run.WorkflowTaskAttempt == attempt)
                {
                    ScheduleIfNeeded(run);
                }
            }
        });
    }

    /// <summary>
    /// A transient task (attempt 2 and later) left no Scheduled/Started events, so its timeout writes none either,
    /// as on the real server. A task that never started has no started event id (0, left unset).
    /// </summary>
    private static void AppendTimedOut(WorkflowRun run, WorkflowTaskInfo task, TimeoutType timeoutType)
    {
        if (task.IsTransient)
        {
            return;
        }

        run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowTaskTimedOut,
            WorkflowTaskTimedOutEventAttributes = new WorkflowTaskTimedOutEventAttributes
            {
                ScheduledEventId = task.ScheduledEventId,
                StartedEventId = task.StartedEventId,
                TimeoutType = timeoutType,
            },
        });
    }

    private void OnStartToCloseTimeout(WorkflowRun run, WorkflowTaskInfo task)
    {
        lock (run.Gate)
        {
            if (!run.IsOpen || !ReferenceEquals(run.WorkflowTask, task))
            {
                return;
            }

            AppendTimedOut(run, task, TimeoutType.StartToClose);

            FailAttachedQueries(task, "workflow task timed out before answering the query");
            run.QueriesForNextTask.AddRange(task.LateQueries);
            Retry(run, incrementAttempt: true);
        }
    }

    /// <summary>
    /// A sticky task nobody picked up in time (the worker crashed without ShutdownWorker): time it out as
    /// ScheduleToStart without raising the attempt, and send the next task to the normal queue.
    /// </summary>
    private void OnStickyScheduleToStartTimeout(WorkflowRun run, WorkflowTaskInfo task)
    {
        lock (run.Gate)
        {
            if (!run.IsOpen || !ReferenceEquals(run.WorkflowTask, task) || task.IsStarted)
            {
                return;
            }

            AppendTimedOut(run, task, TimeoutType.ScheduleToStart);

            Retry(run, incrementAttempt: false);
        }
    }

    /// <summary>Moves a task queued on a sticky queue whose worker shut down to the normal queue.</summary>
    public void Redirect(WorkflowTaskItem item)
    {
        var run = item.Run;
        lock (run.Gate)
        {
            run.StickyQueue = null;
            if (item.Task is { } task && ReferenceEquals(run.WorkflowTask, task) && !task.IsStarted)
            {
                task.QueueName = run.TaskQueue;
                task.OnStickyQueue = false;
                state.Queues.Workflow(run.Namespace, run.TaskQueue).Add(item);
            }
            else if (item.LegacyQuery is not null)
            {
                state.Queues.Workflow(run.Namespace, run.TaskQueue).Add(item);
            }
        }
    }

    public static void FailAttachedQueries(WorkflowTaskInfo task, string reason)
    {
        foreach (var query in task.AttachedQueries)
        {
            query.Answer.TrySetResult(new QueryAnswer(null, reason, null));
        }

        task.AttachedQueries.Clear();
    }

    private PollWorkflowTaskQueueResponse BuildPollResponse(WorkflowRun run, WorkflowTaskInfo task)
    {
        // A sticky worker has the run cached: it gets only what it has not seen, as the real frontend sends.
        var firstEventId = task.OnStickyQueue ? run.PreviousStartedEventId + 1 : 1;
        var events = run.History.Slice(firstEventId, int.MaxValue);
        if (task.IsTransient)
        {
            events.Add(ScheduledEvent(run, task).WithId(task.ScheduledEventId));
            events.Add(StartedEvent(run, task).WithId(task.StartedEventId));
        }

        var response = new PollWorkflowTaskQueueResponse
        {
            TaskToken = new TaskToken(TaskTokenKind.WorkflowTask, run.RunId, task.ScheduledEventId, task.Attempt, string.Empty).Encode(),
            WorkflowExecution = run.Execution,
            WorkflowType = new Temporalio.Api.Common.V1.WorkflowType { Name = run.WorkflowType },
            PreviousStartedEventId = run.PreviousStartedEventId,
            StartedEventId = task.StartedEventId,
            Attempt = task.Attempt,
            History = new History { Events = { events } },
            WorkflowExecutionTaskQueue = new TaskQueue { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
            ScheduledTime = Timestamp.FromDateTime(task.ScheduledTime),
            StartedTime = Timestamp.FromDateTime(task.StartedTime),
        };
        foreach (var query in task.AttachedQueries)
        {
            response.Queries.Add(query.Id, query.Query);
        }

        return response;
    }

    private static HistoryEvent ScheduledEvent(WorkflowRun run, WorkflowTaskInfo task) => new()
    {
        EventType = EventType.WorkflowTaskScheduled,
        EventTime = Timestamp.FromDateTime(task.ScheduledTime),
        WorkflowTaskScheduledEventAttributes = new WorkflowTaskScheduledEventAttributes
        {
            TaskQueue = task.OnStickyQueue
                ? new TaskQueue { Name = task.QueueName, Kind = TaskQueueKind.Sticky, NormalName = run.TaskQueue }
                : new TaskQueue { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
            StartToCloseTimeout = Duration.FromTimeSpan(run.WorkflowTaskTimeout),
            Attempt = task.Attempt,
        },
    };

    private static HistoryEvent StartedEvent(WorkflowRun run, WorkflowTaskInfo task) => new()
    {
        EventType = EventType.WorkflowTaskStarted,
        EventTime = Timestamp.FromDateTime(task.StartedTime),
        WorkflowTaskStartedEventAttributes = new WorkflowTaskStartedEventAttributes
        {
            ScheduledEventId = task.ScheduledEventId,
            Identity = task.Identity,
            RequestId = task.RequestId,
            HistorySizeBytes = run.History.SizeBytes,
        },
    };
}

internal static class HistoryEventExtensions
{
    /// <summary>For synthesized (transient) events that are shown to the worker but not yet written.</summary>
    public static HistoryEvent WithId(this HistoryEvent historyEvent, long eventId)
    {
        historyEvent.EventId = eventId;
        return historyEvent;
    }
}
