using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using LeadFlow.EmbeddedTemporal.Executions;
using LeadFlow.EmbeddedTemporal.Grpc;
using LeadFlow.EmbeddedTemporal.Namespaces;
using LeadFlow.EmbeddedTemporal.Visibility;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>DescribeWorkflowExecution, ListWorkflowExecutions and CountWorkflowExecutions over the in-memory runs (see <see cref="VisibilityFilter"/> for the query language).</summary>
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
        var ns = state.Namespaces.Require(request.Namespace);
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
                    UserMetadata = run.UserMetadata,
                },
                WorkflowExecutionInfo = Info(run, ns),
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
        var ns = state.Namespaces.Require(request.Namespace);
        var matches = Matching(ns, VisibilityFilter.Compile(request.Query, ns, allowGroupBy: false), sorted: true);
        var offset = request.NextPageToken.IsEmpty ? 0 : int.Parse(request.NextPageToken.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
        var pageSize = request.PageSize > 0 ? request.PageSize : DefaultPageSize;
        var page = matches.Skip(offset).Take(pageSize).ToList();
        var response = new ListWorkflowExecutionsResponse();
        foreach (var run in page)
        {
            lock (run.Gate)
            {
                response.Executions.Add(Info(run, ns));
            }
        }

        if (offset + page.Count < matches.Count)
        {
            response.NextPageToken = ByteString.CopyFromUtf8((offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    /// <summary>
    /// The number of matching runs; with GROUP BY ExecutionStatus also one group per status, its value a Keyword
    /// payload of the status name, as the server's visibility store answers (searchattribute.EncodeValue).
    /// </summary>
    private CountWorkflowExecutionsResponse Count(CountWorkflowExecutionsRequest request)
    {
        var ns = state.Namespaces.Require(request.Namespace);
        var filter = VisibilityFilter.Compile(request.Query, ns, allowGroupBy: true);
        var matches = Matching(ns, filter, sorted: false);
        var response = new CountWorkflowExecutionsResponse { Count = matches.Count };
        if (filter.GroupBy is not null)
        {
            foreach (var group in matches.GroupBy(run => run.Status).OrderBy(group => group.Key))
            {
                response.Groups.Add(new CountWorkflowExecutionsResponse.Types.AggregationGroup
                {
                    GroupValues = { SearchAttributeValues.Keyword(VisibilityRecord.StatusName(group.Key)) },
                    Count = group.Count(),
                });
            }
        }

        return response;
    }

    private List<WorkflowRun> Matching(NamespaceRecord ns, VisibilityFilter filter, bool sorted)
    {
        var matches = state.Executions.AllRuns.Where(run =>
        {
            if (run.Namespace != ns.Name)
            {
                return false;
            }

            lock (run.Gate)
            {
                return filter.Matches(run);
            }
        });
        return sorted ? filter.Sort(matches) : matches.ToList();
    }

    private static WorkflowExecutionInfo Info(WorkflowRun run, NamespaceRecord ns) => new()
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
        SearchAttributes = SearchAttributeSchema.Typed(ns, run.SearchAttributes),
        TaskQueue = run.TaskQueue,
        FirstRunId = run.FirstRunId,
        ExecutionDuration = run.CloseTime is { } end ? Duration.FromTimeSpan(end - run.ExecutionTime) : null,
        RootExecution = run.Execution,
    };
}
