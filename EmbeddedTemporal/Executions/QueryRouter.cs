using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LeadFlow.EmbeddedTemporal.Grpc;
using LeadFlow.EmbeddedTemporal.TaskQueues;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Query.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// QueryWorkflow the way the real server routes it: attached to the next workflow task (its <c>queries</c>
/// map) when one is pending, or sent alone as a legacy query task (the poll response's <c>query</c> field)
/// when the run has no outstanding workflow task, which includes closed runs.
/// </summary>
internal sealed class QueryRouter(ServerState state)
{
    private readonly ConcurrentDictionary<string, PendingQuery> _legacyQueries = new(StringComparer.Ordinal);

    public async Task<QueryWorkflowResponse> QueryAsync(QueryWorkflowRequest request, ServerCallContext context)
    {
        state.Namespaces.Require(request.Namespace);
        var run = state.Executions.Find(request.Namespace, request.Execution?.WorkflowId ?? string.Empty, request.Execution?.RunId);
        var query = new PendingQuery(request.Query);
        lock (run.Gate)
        {
            if (Rejected(run, request.QueryRejectCondition))
            {
                return new QueryWorkflowResponse { QueryRejected = new QueryRejected { Status = run.Status } };
            }

            if (run.WorkflowTask is { IsStarted: true } running)
            {
                running.LateQueries.Add(query);
            }
            else if (run.WorkflowTask is not null)
            {
                run.QueriesForNextTask.Add(query);
            }
            else
            {
                DispatchLegacy(run, query);
            }
        }

        var answer = await query.Answer.Task.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        if (answer.ErrorMessage is not null || answer.Failure is not null)
        {
            throw RpcErrors.QueryFailed(answer.ErrorMessage ?? answer.Failure!.Message);
        }

        return new QueryWorkflowResponse { QueryResult = answer.Result };
    }

    /// <summary>Queries that missed the task they waited for: the next task takes them, or they go alone.</summary>
    public void Reroute(WorkflowRun run, IEnumerable<PendingQuery> queries)
    {
        foreach (var query in queries)
        {
            if (run.WorkflowTask is { IsStarted: false })
            {
                run.QueriesForNextTask.Add(query);
            }
            else
            {
                DispatchLegacy(run, query);
            }
        }
    }

    /// <summary>Builds the poll response of a legacy query task; null if the query was already answered.</summary>
    public PollWorkflowTaskQueueResponse? TryStartLegacy(WorkflowTaskItem item, bool fromStickyQueue)
    {
        var run = item.Run;
        var query = item.LegacyQuery!;
        lock (run.Gate)
        {
            if (query.Answer.Task.IsCompleted)
            {
                return null;
            }

            _legacyQueries[query.Id] = query;

            // A sticky worker has the run cached and gets no events, as the real frontend does for sticky queries.
            var events = fromStickyQueue ? [] : run.History.Slice(1, int.MaxValue);
            return new PollWorkflowTaskQueueResponse
            {
                TaskToken = new TaskToken(TaskTokenKind.QueryTask, run.RunId, 0, 0, query.Id).Encode(),
                WorkflowExecution = run.Execution,
                WorkflowType = new Temporalio.Api.Common.V1.WorkflowType { Name = run.WorkflowType },
                PreviousStartedEventId = run.PreviousStartedEventId,
                History = new History { Events = { events } },
                Query = query.Query,
                WorkflowExecutionTaskQueue = new TaskQueue { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
                ScheduledTime = Timestamp.FromDateTime(DateTime.UtcNow),
                StartedTime = Timestamp.FromDateTime(DateTime.UtcNow),
            };
        }
    }

    public RespondQueryTaskCompletedResponse Complete(RespondQueryTaskCompletedRequest request)
    {
        var token = TaskToken.Decode(request.TaskToken, TaskTokenKind.QueryTask);
        if (!_legacyQueries.TryRemove(token.QueryId, out var query))
        {
            throw RpcErrors.NotFound("query task not found, or already expired");
        }

        query.Answer.TrySetResult(request.CompletedType == QueryResultType.Answered
            ? new QueryAnswer(request.QueryResult, null, null)
            : new QueryAnswer(null, string.IsNullOrEmpty(request.ErrorMessage) ? request.Failure?.Message ?? "query failed" : request.ErrorMessage, request.Failure));
        return new RespondQueryTaskCompletedResponse();
    }

    private void DispatchLegacy(WorkflowRun run, PendingQuery query)
    {
        // A closed run is no longer cached by any worker (the SDK evicts it on completion), so like the real
        // server its queries go to the normal queue with the full history, never to the sticky queue.
        var sticky = run.IsOpen
            && run.StickyQueue is { } stickyName
            && state.Queues.FindWorkflow(run.Namespace, stickyName)?.HasRecentPoller(state.Options.StickyPollerUnavailableWindow) == true;
        var queueName = sticky ? run.StickyQueue! : run.TaskQueue;
        state.Queues.Workflow(run.Namespace, queueName).Add(new WorkflowTaskItem(run, null, query));
    }

    private static bool Rejected(WorkflowRun run, QueryRejectCondition condition) => condition switch
    {
        QueryRejectCondition.NotOpen => !run.IsOpen,
        QueryRejectCondition.NotCompletedCleanly => !run.IsOpen && run.Status != WorkflowExecutionStatus.Completed,
        _ => false,
    };
}
