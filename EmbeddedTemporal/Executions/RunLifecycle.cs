using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>Everything a new run is started from: a start request, a signal-with-start or a continue-as-new.</summary>
internal sealed record RunStartSpec
{
    public required string WorkflowType { get; init; }

    public required string TaskQueue { get; init; }

    public Payloads? Input { get; init; }

    public TimeSpan ExecutionTimeout { get; init; }

    public TimeSpan RunTimeout { get; init; }

    public TimeSpan WorkflowTaskTimeout { get; init; }

    public string Identity { get; init; } = string.Empty;

    public string RequestId { get; init; } = string.Empty;

    public Header? Header { get; init; }

    public Memo? Memo { get; init; }

    public SearchAttributes? SearchAttributes { get; init; }

    /// <summary>Summary and details of the start (user_metadata), written on WorkflowExecutionStarted.</summary>
    public Temporalio.Api.Sdk.V1.UserMetadata? UserMetadata { get; init; }

    public RetryPolicy? RetryPolicy { get; init; }

    public TimeSpan StartDelay { get; init; }

    public ContinueAsNewInitiator Initiator { get; init; }

    public string? ContinuedFromRunId { get; init; }

    public Failure? ContinuedFailure { get; init; }

    public Payloads? LastCompletionResult { get; init; }

    public string? FirstRunId { get; init; }

    /// <summary>Chosen in advance when the previous run must name it (continue-as-new).</summary>
    public string? RunId { get; init; }

    public DateTime? ExecutionExpiration { get; init; }

    /// <summary>Written right after WorkflowExecutionStarted (signal-with-start), before the first workflow task.</summary>
    public HistoryEvent? SignalEvent { get; init; }
}

/// <summary>Creates runs and closes them, writing the events the real history service writes.</summary>
internal sealed class RunLifecycle(ServerState state, WorkflowTasks workflowTasks)
{
    private readonly Retention _retention = new(state);

    /// <summary>Default and cap of the workflow task timeout, as in the real server.</summary>
    private static readonly TimeSpan DefaultWorkflowTaskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxWorkflowTaskTimeout = TimeSpan.FromSeconds(120);

    public string CreateRunId() => Guid.NewGuid().ToString();

    /// <summary>Creates and registers a run in the chain. Caller holds the chain lock.</summary>
    public WorkflowRun Start(WorkflowChain chain, RunStartSpec spec)
    {
        var now = DateTime.UtcNow;
        var runId = spec.RunId ?? CreateRunId();
        var expiration = spec.ExecutionExpiration ?? (spec.ExecutionTimeout > TimeSpan.Zero ? now + spec.ExecutionTimeout : null);
        var runTimeout = spec.RunTimeout > TimeSpan.Zero ? spec.RunTimeout : spec.ExecutionTimeout;
        if (spec.ExecutionTimeout > TimeSpan.Zero && runTimeout > spec.ExecutionTimeout)
        {
            runTimeout = spec.ExecutionTimeout;
        }

        var taskTimeout = spec.WorkflowTaskTimeout > TimeSpan.Zero ? spec.WorkflowTaskTimeout : DefaultWorkflowTaskTimeout;
        taskTimeout = TimeSpan.FromTicks(Math.Min(taskTimeout.Ticks, MaxWorkflowTaskTimeout.Ticks));
        if (runTimeout > TimeSpan.Zero && taskTimeout > runTimeout)
        {
            taskTimeout = runTimeout;
        }

        var run = new WorkflowRun(chain, runId, spec.WorkflowType, spec.TaskQueue)
        {
            StartTime = now,
            ExecutionTime = now + spec.StartDelay,
            StartRequestId = spec.RequestId,
            FirstRunId = spec.FirstRunId ?? runId,
            RunTimeout = runTimeout,
            ExecutionTimeout = spec.ExecutionTimeout,
            ExecutionExpiration = expiration,
            WorkflowTaskTimeout = taskTimeout,
            Memo = spec.Memo?.Clone() ?? new Memo(),
            UserMetadata = spec.UserMetadata,
        };
        Visibility.SearchAttributeSchema.Merge(run.SearchAttributes, spec.SearchAttributes);
        run.SeenRequestIds.Add(spec.RequestId);

        var attributes = new WorkflowExecutionStartedEventAttributes
        {
            WorkflowType = new WorkflowType { Name = spec.WorkflowType },
            TaskQueue = new TaskQueue { Name = spec.TaskQueue, Kind = TaskQueueKind.Normal },
            Input = spec.Input,
            WorkflowExecutionTimeout = Duration.FromTimeSpan(spec.ExecutionTimeout),
            WorkflowRunTimeout = Duration.FromTimeSpan(runTimeout),
            WorkflowTaskTimeout = Duration.FromTimeSpan(taskTimeout),
            ContinuedExecutionRunId = spec.ContinuedFromRunId ?? string.Empty,
            Initiator = spec.Initiator,
            ContinuedFailure = spec.ContinuedFailure,
            LastCompletionResult = spec.LastCompletionResult,
            OriginalExecutionRunId = runId,
            Identity = spec.Identity,
            FirstExecutionRunId = run.FirstRunId,
            RetryPolicy = spec.RetryPolicy,
            Attempt = 1,
            WorkflowExecutionExpirationTime = expiration is { } due ? Timestamp.FromDateTime(due) : null,
            FirstWorkflowTaskBackoff = spec.StartDelay > TimeSpan.Zero ? Duration.FromTimeSpan(spec.StartDelay) : null,
            Memo = spec.Memo,
            SearchAttributes = spec.SearchAttributes,
            Header = spec.Header ?? new Header(),
            WorkflowId = chain.WorkflowId,
        };
        run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowExecutionStarted,
            WorkflowExecutionStartedEventAttributes = attributes,
            UserMetadata = spec.UserMetadata,
        });
        if (spec.SignalEvent is { } signal)
        {
            run.History.Append(signal);
        }

        chain.Runs.Add(run);
        state.Executions.AddRun(run);
        ArmRunTimeout(run);
        if (spec.StartDelay > TimeSpan.Zero)
        {
            state.Timers.Schedule(spec.StartDelay, () =>
            {
                lock (run.Gate)
                {
                    workflowTasks.ScheduleIfNeeded(run);
                }
            });
        }
        else
        {
            workflowTasks.ScheduleIfNeeded(run);
        }

        return run;
    }

    /// <summary>
    /// Closes a run not by a command (terminate, timeout): like the real server it first fails a running
    /// workflow task with FORCE_CLOSE_COMMAND, then writes the buffered events, then the close event.
    /// </summary>
    public void ForceClose(WorkflowRun run, HistoryEvent closeEvent, WorkflowExecutionStatus status)
    {
        if (run.WorkflowTask is { IsStarted: true } task)
        {
            if (!task.IsTransient)
            {
                run.History.Append(new HistoryEvent
                {
                    EventType = EventType.WorkflowTaskFailed,
                    WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
                    {
                        ScheduledEventId = task.ScheduledEventId,
                        StartedEventId = task.StartedEventId,
                        Cause = WorkflowTaskFailedCause.ForceCloseCommand,
                    },
                });
            }

            WorkflowTasks.FailAttachedQueries(task, "workflow closed before answering the query");
        }

        WorkflowTasks.FlushBuffered(run);
        Close(run, closeEvent, status);
    }

    /// <summary>Writes the close event and drops everything pending; waiting long polls see the change.</summary>
    public void Close(WorkflowRun run, HistoryEvent closeEvent, WorkflowExecutionStatus status)
    {
        run.History.Append(closeEvent);
        run.CloseEvent = closeEvent;
        run.Status = status;
        run.CloseTime = DateTime.UtcNow;
        run.WorkflowTask = null;
        run.Activities.Clear();
        run.ActivityIds.Clear();
        run.Timers.Clear();
        run.BufferedWrites.Clear();
        run.SeenRequestIds.Clear();
        _retention.ScheduleDeletion(run);
    }

    private void ArmRunTimeout(WorkflowRun run)
    {
        var deadlines = new List<DateTime>();
        if (run.RunTimeout > TimeSpan.Zero)
        {
            deadlines.Add(run.StartTime + run.RunTimeout);
        }

        if (run.ExecutionExpiration is { } expiration)
        {
            deadlines.Add(expiration);
        }

        if (deadlines.Count == 0)
        {
            return;
        }

        state.Timers.Schedule(deadlines.Min(), () =>
        {
            lock (run.Gate)
            {
                if (!run.IsOpen)
                {
                    return;
                }

                ForceClose(
                    run,
                    new HistoryEvent
                    {
                        EventType = EventType.WorkflowExecutionTimedOut,
                        WorkflowExecutionTimedOutEventAttributes = new WorkflowExecutionTimedOutEventAttributes { RetryState = RetryState.RetryPolicyNotSet },
                    },
                    WorkflowExecutionStatus.TimedOut);
            }
        });
    }
}
