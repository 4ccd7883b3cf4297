using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using LeadFlow.EmbeddedTemporal.Executions;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>DescribeWorkflowExecution, ListWorkflowExecutions and CountWorkflowExecutions over the in-memory runs.</summary>
internal sealed class VisibilityHandlers(ServerState state)
{
    private const int DefaultPageSize = 1000;

    public void Register(RpcHandlerTable table)
    {
        table.Add<DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse>(Describe);
        table.Add<ListWorkflowExecutionsRequest, ListWorkflowExecutionsResponse>(List);
        table.Add<CountWorkflowExecutionsRequest, CountWorkflowExecutionsResponse>(Count);
    }

    private DescribeWorkflowExecutionResponse Describe(DescribeWorkflowExecutionRequest request)
    {
        state.Namespaces.Require(request.Namespace);
        var run = state.Executions.Find(request.Namespace, request.Execution?.WorkflowId ?? string.Empty, request.Execution?.RunId);
        lock (run.Gate)
        {
            var response = new DescribeWorkflowExecutionResponse
            {
                ExecutionConfig = new WorkflowExecutionConfig
                {
                    TaskQueue = new TaskQueue { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
                    WorkflowExecutionTimeout = Duration.FromTimeSpan(run.ExecutionTimeout),
                    WorkflowRunTimeout = Duration.FromTimeSpan(run.RunTimeout),
                    DefaultWorkflowTaskTimeout = Duration.FromTimeSpan(run.WorkflowTaskTimeout),
                },
                WorkflowExecutionInfo = Info(run),
            };
            var now = DateTime.UtcNow;
            foreach (var activity in run.Activities.Values)
            {
                // As the real server: a retry waiting for its backoff shows when it will be dispatched and the pause.
                var waiting = !activity.IsStarted && activity.NextAttemptScheduleTime is { } next && next > now ? next : (DateTime?)null;
                response.PendingActivities.Add(new PendingActivityInfo
                {
                    ActivityId = activity.ActivityId,
                    ActivityType = new ActivityType { Name = activity.ActivityType },
                    State = activity.CancelRequested ? PendingActivityState.CancelRequested
                        : activity.IsStarted ? PendingActivityState.Started : PendingActivityState.Scheduled,
                    HeartbeatDetails = activity.HeartbeatDetails,
                    LastHeartbeatTime = activity.LastHeartbeatTime is { } beat ? Timestamp.FromDateTime(beat) : null,
                    LastStartedTime = activity.IsStarted ? Timestamp.FromDateTime(activity.StartedTime) : null,
                    Attempt = activity.Attempt,
                    MaximumAttempts = activity.RetryPolicy.MaximumAttempts,
                    ScheduledTime = Timestamp.FromDateTime(waiting ?? activity.CurrentAttemptScheduledTime),
                    NextAttemptScheduleTime = waiting is { } at ? Timestamp.FromDateTime(at) : null,
                    CurrentRetryInterval = waiting is { } retryAt && activity.LastAttemptCompleteTime is { } lastEnded ? Duration.FromTimeSpan(retryAt - lastEnded) : null,
                    LastAttemptCompleteTime = activity.LastAttemptCompleteTime is { } completed ? Timestamp.FromDateTime(completed) : null,
                    ExpirationTime = activity.Expiration is { } expiration ? Timestamp.FromDateTime(expiration) : null,
                    LastFailure = activity.LastFailure,
                    LastWorkerIdentity = activity.LastWorkerIdentity,
                });
            }

            if (run.WorkflowTask is { } task)
            {
                response.PendingWorkflowTask = new PendingWorkflowTaskInfo
                {
                    State = task.IsStarted ? PendingWorkflowTaskState.Started : PendingWorkflowTaskState.Scheduled,
                    ScheduledTime = Timestamp.FromDateTime(task.ScheduledTime),
                    StartedTime = task.IsStarted ? Timestamp.FromDateTime(task.StartedTime) : null,
                    Attempt = task.Attempt,
                };
            }

            return response;
        }
    }

    private ListWorkflowExecutionsResponse List(ListWorkflowExecutionsRequest request)
    {
        var matches = Matching(request.Namespace, request.Query);
        var offset = request.NextPageToken.IsEmpty ? 0 : int.Parse(request.NextPageToken.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
        var pageSize = request.PageSize > 0 ? request.PageSize : DefaultPageSize;
        var page = matches.Skip(offset).Take(pageSize).ToList();
        var response = new ListWorkflowExecutionsResponse();
        foreach (var run in page)
        {
            lock (run.Gate)
            {
                response.Executions.Add(Info(run));
            }
        }

        if (offset + page.Count < matches.Count)
        {
            response.NextPageToken = ByteString.CopyFromUtf8((offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    private CountWorkflowExecutionsResponse Count(CountWorkflowExecutionsRequest request) =>
        new() { Count = Matching(request.Namespace, request.Query).Count };

    /// <summary>Newest first, as the visibility store orders by start time.</summary>
    private List<WorkflowRun> Matching(string @namespace, string query)
    {
        state.Namespaces.Require(@namespace);
        var filter = VisibilityQuery.Parse(query);
        return state.Executions.AllRuns
            .Where(run => run.Namespace == @namespace && filter.Matches(run))
            .OrderByDescending(run => run.StartTime)
            .ToList();
    }

    private static WorkflowExecutionInfo Info(WorkflowRun run) => new()
    {
        Execution = run.Execution,
        Type = new WorkflowType { Name = run.WorkflowType },
        StartTime = Timestamp.FromDateTime(run.StartTime),
        CloseTime = run.CloseTime is { } closed ? Timestamp.FromDateTime(closed) : null,
        Status = run.Status,
        HistoryLength = run.History.LastEventId,
        HistorySizeBytes = run.History.SizeBytes,
        ExecutionTime = Timestamp.FromDateTime(run.ExecutionTime),
        Memo = run.Memo,
        SearchAttributes = run.SearchAttributes,
        TaskQueue = run.TaskQueue,
        FirstRunId = run.FirstRunId,
        ExecutionDuration = run.CloseTime is { } end ? Duration.FromTimeSpan(end - run.ExecutionTime) : null,
    };
}
