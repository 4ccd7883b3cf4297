using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// One run of a workflow: its history and the mutable state the real history service keeps beside it
/// (pending workflow task, activities, timers, stickiness). Every access holds <see cref="Gate"/>,
/// which is shared by all runs of the same workflow id so start policies and continue-as-new are atomic.
/// </summary>
internal sealed class WorkflowRun
{
    public WorkflowRun(WorkflowChain chain, string runId, string workflowType, string taskQueue)
    {
        Chain = chain;
        RunId = runId;
        WorkflowType = workflowType;
        TaskQueue = taskQueue;
    }

    public WorkflowChain Chain { get; }

    public Lock Gate => Chain.Gate;

    public string Namespace => Chain.Namespace;

    public string WorkflowId => Chain.WorkflowId;

    public string RunId { get; }

    public string WorkflowType { get; }

    /// <summary>The normal (non-sticky) task queue the run was started on.</summary>
    public string TaskQueue { get; }

    public WorkflowExecution Execution => new() { WorkflowId = WorkflowId, RunId = RunId };

    public HistoryLog History { get; } = new();

    public WorkflowExecutionStatus Status { get; set; } = WorkflowExecutionStatus.Running;

    public bool IsOpen => Status == WorkflowExecutionStatus.Running;

    public DateTime StartTime { get; set; }

    public DateTime ExecutionTime { get; set; }

    public DateTime? CloseTime { get; set; }

    public string StartRequestId { get; set; } = string.Empty;

    public string FirstRunId { get; set; } = string.Empty;

    public TimeSpan RunTimeout { get; set; }

    public TimeSpan ExecutionTimeout { get; set; }

    public DateTime? ExecutionExpiration { get; set; }

    public TimeSpan WorkflowTaskTimeout { get; set; }

    public Memo Memo { get; set; } = new();

    public SearchAttributes SearchAttributes { get; set; } = new();

    /// <summary>Summary and details given at start (user_metadata); the UI shows them, the server only keeps them.</summary>
    public Temporalio.Api.Sdk.V1.UserMetadata? UserMetadata { get; set; }

    /// <summary>Started event id of the last completed workflow task (what the worker has already seen).</summary>
    public long PreviousStartedEventId { get; set; }

    /// <summary>The scheduled or started workflow task, if any (there is at most one).</summary>
    public WorkflowTaskInfo? WorkflowTask { get; set; }

    /// <summary>Attempt of the next workflow task: above 1 after failures/timeouts until one completes.</summary>
    public int WorkflowTaskAttempt { get; set; } = 1;

    public string? StickyQueue { get; set; }

    public TimeSpan StickyScheduleToStartTimeout { get; set; }

    /// <summary>
    /// Events that arrived while a workflow task was running. Like the real server they are written after
    /// WorkflowTaskCompleted, so the worker never sees history change under a task it is processing.
    /// </summary>
    public List<Action> BufferedWrites { get; } = [];

    public Dictionary<long, ActivityInfo> Activities { get; } = [];

    public Dictionary<string, long> ActivityIds { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, TimerInfo> Timers { get; } = new(StringComparer.Ordinal);

    /// <summary>Queries waiting for the next workflow task (delivered in its <c>queries</c> map).</summary>
    public List<PendingQuery> QueriesForNextTask { get; } = [];

    public HashSet<string> SeenRequestIds { get; } = new(StringComparer.Ordinal);

    public bool CancelRequested { get; set; }

    public HistoryEvent? CloseEvent { get; set; }

    /// <summary>Run id of the next run when this one continued as new (or was retried).</summary>
    public string? NewRunId { get; set; }

    public bool WorkflowTaskInFlight => WorkflowTask is { IsStarted: true };
}

/// <summary>The workflow task of a run; a fresh instance per scheduling, so stale queue items and timers recognise themselves.</summary>
internal sealed class WorkflowTaskInfo
{
    public long ScheduledEventId { get; set; }

    public long StartedEventId { get; set; }

    public int Attempt { get; init; }

    /// <summary>Attempts after a failure are not written to history until one completes (a "transient" task).</summary>
    public bool IsTransient => Attempt > 1;

    public bool IsStarted => StartedEventId != 0;

    public string QueueName { get; set; } = string.Empty;

    public bool OnStickyQueue { get; set; }

    public DateTime ScheduledTime { get; init; }

    public DateTime StartedTime { get; set; }

    public string Identity { get; set; } = string.Empty;

    public string RequestId { get; set; } = string.Empty;

    /// <summary>Queries attached to this task when it started; answered in RespondWorkflowTaskCompleted.</summary>
    public List<PendingQuery> AttachedQueries { get; } = [];

    /// <summary>Queries that arrived while the task ran: they go on the next task or a legacy query task.</summary>
    public List<PendingQuery> LateQueries { get; } = [];
}

/// <summary>Pending activity: scheduled, maybe started, maybe waiting for a retry.</summary>
internal sealed class ActivityInfo
{
    public long ScheduledEventId { get; init; }

    public required HistoryEvent ScheduledEvent { get; init; }

    public string ActivityId { get; init; } = string.Empty;

    public string ActivityType { get; init; } = string.Empty;

    public string TaskQueue { get; init; } = string.Empty;

    public TimeSpan ScheduleToClose { get; init; }

    public TimeSpan ScheduleToStart { get; init; }

    public TimeSpan StartToClose { get; init; }

    public TimeSpan Heartbeat { get; init; }

    public required RetryPolicy RetryPolicy { get; init; }

    public DateTime ScheduledTime { get; init; }

    public int Attempt { get; set; } = 1;

    public DateTime CurrentAttemptScheduledTime { get; set; }

    /// <summary>When the last failed attempt ended (the server's LastAttemptCompleteTime); null before any.</summary>
    public DateTime? LastAttemptCompleteTime { get; set; }

    /// <summary>When the retry waiting for its backoff will be dispatched; null once it was (or before any retry).</summary>
    public DateTime? NextAttemptScheduleTime { get; set; }

    public bool IsStarted { get; set; }

    public DateTime StartedTime { get; set; }

    public string StartedIdentity { get; set; } = string.Empty;

    public string StartedRequestId { get; set; } = string.Empty;

    public Payloads? HeartbeatDetails { get; set; }

    public DateTime? LastHeartbeatTime { get; set; }

    public Temporalio.Api.Failure.V1.Failure? LastFailure { get; set; }

    public string LastWorkerIdentity { get; set; } = string.Empty;

    public long CancelRequestedEventId { get; set; }

    public bool CancelRequested => CancelRequestedEventId != 0;

    public DateTime? Expiration => ScheduleToClose > TimeSpan.Zero ? ScheduledTime + ScheduleToClose : null;
}

/// <summary>A started workflow timer; a new instance per StartTimer command.</summary>
internal sealed class TimerInfo
{
    public required string TimerId { get; init; }

    public long StartedEventId { get; init; }

    public DateTime FireTime { get; init; }
}
