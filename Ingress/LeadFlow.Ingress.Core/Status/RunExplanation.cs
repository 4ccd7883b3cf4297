using System.Globalization;
using LeadFlow.Leads;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.Ingress.Status;

/// <summary>What the Temporal server itself knows about a run, without a worker, in one line and a few facts.</summary>
/// <param name="Text">
/// One line for a person, e.g. <c>queued, no worker is polling lead-onboarding</c>, <c>stuck: workflow task failing
/// (attempt 4, WorkflowWorkerUnhandledFailure: ...)</c>, <c>waiting for a retry of CreatePartner (attempt 5, in 8 s,
/// last failure: ...)</c>, <c>terminated: ...</c>. Failure messages are cut short and personal data is redacted.
/// </param>
/// <param name="WorkerPolling">A worker polled the run's workflow task queue recently (null when the server would not say).</param>
/// <param name="WorkflowTaskFailing">The run's workflow task keeps failing: no worker can answer a query about it.</param>
public sealed record RunExplanation(string Text, bool? WorkerPolling, bool WorkflowTaskFailing)
{
    private const int MaxMessageLength = 200;

    /// <summary>Explains a run from its description, the task queue's pollers and its history.</summary>
    /// <param name="pollers">DescribeTaskQueue's pollers of the workflow task queue; null when the server did not answer it.</param>
    /// <param name="history">The run's events, oldest first (only the last ones matter).</param>
    /// <param name="workerSeenWithin">How recent a poll must be to count as a worker polling (<see cref="LeadStatusOptions.WorkerSeenWithin"/>).</param>
    public static RunExplanation Explain(
        DescribeWorkflowExecutionResponse description,
        IReadOnlyList<PollerInfo>? pollers,
        IReadOnlyList<HistoryEvent> history,
        DateTime now,
        TimeSpan workerSeenWithin)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(history);
        var info = description.WorkflowExecutionInfo;
        var taskQueue = description.ExecutionConfig?.TaskQueue?.Name ?? info.TaskQueue;
        bool? polling = pollers?.Any(p => p.LastAccessTime is { } seen && now - seen.ToDateTime() < workerSeenWithin);
        if (info.Status != WorkflowExecutionStatus.Running)
        {
            return new RunExplanation(Closed(info.Status, history.LastOrDefault()), polling, false);
        }

        if (description.PendingWorkflowTask is { Attempt: > 1 } failingTask)
        {
            var reason = LastWorkflowTaskFailure(history);
            return new RunExplanation(
                $"stuck: workflow task failing (attempt {failingTask.Attempt}{(reason is null ? "" : $", {reason}")}); a fix of the worker or a reset of the run is needed",
                polling,
                true);
        }

        var activity = description.PendingActivities.OrderBy(a => a.ScheduledTime?.ToDateTime() ?? DateTime.MinValue).LastOrDefault();
        var step = activity is null ? null : Activity(activity, now);
        if (polling == false)
        {
            return new RunExplanation($"queued, no worker is polling {taskQueue}{(step is null ? "" : $" ({step})")}", false, false);
        }

        return new RunExplanation(step ?? "running", polling, false);
    }

    private static string Activity(Temporalio.Api.Workflow.V1.PendingActivityInfo activity, DateTime now)
    {
        var name = activity.ActivityType?.Name ?? activity.ActivityId;
        var lastFailure = activity.LastFailure is { } failure ? $", last failure: {Short(failure.Message)}" : "";
        if (activity.State == PendingActivityState.Started)
        {
            return $"running {name} (attempt {activity.Attempt}{lastFailure})";
        }

        if (activity.Attempt > 1)
        {
            var next = activity.NextAttemptScheduleTime?.ToDateTime() is { } at && at > now
                ? string.Create(CultureInfo.InvariantCulture, $", in {Math.Ceiling((at - now).TotalSeconds):0} s")
                : "";
            return $"waiting for a retry of {name} (attempt {activity.Attempt}{next}{lastFailure})";
        }

        return $"{name} scheduled, waiting for a worker to take it";
    }

    private static string? LastWorkflowTaskFailure(IReadOnlyList<HistoryEvent> history)
    {
        for (var i = history.Count - 1; i >= 0; i--)
        {
            switch (history[i].EventType)
            {
                case EventType.WorkflowTaskFailed:
                    var failed = history[i].WorkflowTaskFailedEventAttributes;
                    return $"{failed.Cause}: {Short(failed.Failure?.Message)}";
                case EventType.WorkflowTaskTimedOut:
                    return $"timed out ({history[i].WorkflowTaskTimedOutEventAttributes.TimeoutType})";
                case EventType.WorkflowTaskCompleted:
                    return null;
            }
        }

        return null;
    }

    private static string Closed(WorkflowExecutionStatus status, HistoryEvent? last) => status switch
    {
        WorkflowExecutionStatus.Completed => "completed",
        WorkflowExecutionStatus.Failed => $"failed: {Short(last?.WorkflowExecutionFailedEventAttributes?.Failure?.Message)}",
        WorkflowExecutionStatus.Terminated => last?.WorkflowExecutionTerminatedEventAttributes is { } terminated && !string.IsNullOrWhiteSpace(terminated.Reason)
            ? $"terminated: {Short(terminated.Reason)}{(string.IsNullOrWhiteSpace(terminated.Identity) ? "" : $" (by {Short(terminated.Identity)})")}"
            : "terminated",
        WorkflowExecutionStatus.Canceled => "canceled",
        WorkflowExecutionStatus.TimedOut => "timed out: the run's timeout passed before it finished",
        WorkflowExecutionStatus.ContinuedAsNew => "continued as new (see the next run)",
        _ => status.ToString(),
    };

    /// <summary>The first line of a server-side message, cut to a readable length, with personal data redacted.</summary>
    private static string Short(string? message)
    {
        var line = (message ?? "").Split('\n', 2)[0].Trim();
        line = PersonalData.Redact(line);
        return line.Length <= MaxMessageLength ? line : line[..MaxMessageLength] + "...";
    }
}
