using Grpc.Core;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>The worker side of activities: poll, heartbeat, complete, fail, cancel (by task token and by id).</summary>
internal sealed class ActivityHandlers(ServerState state, ActivityScheduling scheduling, ActivityOutcomes outcomes)
{
    public void Register(RpcHandlerTable table)
    {
        table.Add<PollActivityTaskQueueRequest, PollActivityTaskQueueResponse>(PollAsync);
        table.Add<RecordActivityTaskHeartbeatRequest, RecordActivityTaskHeartbeatResponse>(request =>
            Heartbeat(ByToken(request.TaskToken), request.Details, request.Identity));
        table.Add<RecordActivityTaskHeartbeatByIdRequest, RecordActivityTaskHeartbeatByIdResponse>(request =>
        {
            var beat = Heartbeat(ById(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId), request.Details, request.Identity);
            return new RecordActivityTaskHeartbeatByIdResponse { CancelRequested = beat.CancelRequested };
        });
        table.Add<RespondActivityTaskCompletedRequest, RespondActivityTaskCompletedResponse>(request =>
        {
            Resolve(ByToken(request.TaskToken), (run, activity) => outcomes.Complete(run, activity, request.Result, request.Identity));
            return new RespondActivityTaskCompletedResponse();
        });
        table.Add<RespondActivityTaskCompletedByIdRequest, RespondActivityTaskCompletedByIdResponse>(request =>
        {
            Resolve(ById(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId), (run, activity) => outcomes.Complete(run, activity, request.Result, request.Identity));
            return new RespondActivityTaskCompletedByIdResponse();
        });
        table.Add<RespondActivityTaskFailedRequest, RespondActivityTaskFailedResponse>(request =>
        {
            Resolve(ByToken(request.TaskToken), (run, activity) => outcomes.Fail(run, activity, request.Failure, request.Identity, request.LastHeartbeatDetails));
            return new RespondActivityTaskFailedResponse();
        });
        table.Add<RespondActivityTaskFailedByIdRequest, RespondActivityTaskFailedByIdResponse>(request =>
        {
            Resolve(ById(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId), (run, activity) => outcomes.Fail(run, activity, request.Failure, request.Identity, request.LastHeartbeatDetails));
            return new RespondActivityTaskFailedByIdResponse();
        });
        table.Add<RespondActivityTaskCanceledRequest, RespondActivityTaskCanceledResponse>(request =>
        {
            Resolve(ByToken(request.TaskToken), (run, activity) => outcomes.Cancel(run, activity, request.Details, request.Identity));
            return new RespondActivityTaskCanceledResponse();
        });
        table.Add<RespondActivityTaskCanceledByIdRequest, RespondActivityTaskCanceledByIdResponse>(request =>
        {
            Resolve(ById(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId), (run, activity) => outcomes.Cancel(run, activity, request.Details, request.Identity));
            return new RespondActivityTaskCanceledByIdResponse();
        });
    }

    private async Task<PollActivityTaskQueueResponse> PollAsync(PollActivityTaskQueueRequest request, ServerCallContext context)
    {
        state.Namespaces.Require(request.Namespace);
        var queue = state.Queues.Activity(request.Namespace, request.TaskQueue.Name);
        using var poll = LongPoll.Start(state, context);
        while (true)
        {
            var item = await poll.TakeAsync(queue, context, request.Identity).ConfigureAwait(false);
            if (item is null)
            {
                return new PollActivityTaskQueueResponse();
            }

            if (scheduling.TryStart(item, request) is { } response)
            {
                return response;
            }
        }
    }

    private static RecordActivityTaskHeartbeatResponse Heartbeat(ActivityTarget target, Temporalio.Api.Common.V1.Payloads? details, string identity)
    {
        lock (target.Run.Gate)
        {
            var activity = target.Current();
            activity.HeartbeatDetails = details ?? activity.HeartbeatDetails;
            activity.LastHeartbeatTime = DateTime.UtcNow;
            activity.LastWorkerIdentity = identity;
            return new RecordActivityTaskHeartbeatResponse { CancelRequested = activity.CancelRequested };
        }
    }

    private static void Resolve(ActivityTarget target, Action<WorkflowRun, ActivityInfo> resolve)
    {
        lock (target.Run.Gate)
        {
            resolve(target.Run, target.Current());
        }
    }

    private ActivityTarget ByToken(Google.Protobuf.ByteString tokenBytes)
    {
        var token = TaskToken.Decode(tokenBytes, TaskTokenKind.ActivityTask);
        var run = state.Executions.FindByRunId(token.RunId) ?? throw RpcErrors.NotFound("workflow execution not found");
        return new ActivityTarget(run, token.ScheduledEventId, token.Attempt);
    }

    private ActivityTarget ById(string @namespace, string workflowId, string runId, string activityId)
    {
        state.Namespaces.Require(@namespace);
        var run = state.Executions.Find(@namespace, workflowId, runId);
        lock (run.Gate)
        {
            return run.ActivityIds.TryGetValue(activityId, out var scheduledEventId)
                ? new ActivityTarget(run, scheduledEventId, null)
                : throw (run.IsOpen ? RpcErrors.NotFound($"activity {activityId} not found") : RpcErrors.WorkflowCompleted());
        }
    }

    /// <summary>An activity attempt named by a token (exact attempt) or by id (whatever attempt is current).</summary>
    private sealed record ActivityTarget(WorkflowRun Run, long ScheduledEventId, int? Attempt)
    {
        /// <summary>The started attempt this call is about; NotFound for a stale token, as the real server answers.</summary>
        public ActivityInfo Current()
        {
            if (!Run.IsOpen)
            {
                throw RpcErrors.WorkflowCompleted();
            }

            if (Run.Activities.TryGetValue(ScheduledEventId, out var activity)
                && activity.IsStarted
                && (Attempt is null || activity.Attempt == Attempt))
            {
                return activity;
            }

            throw RpcErrors.NotFound("activity task not found");
        }
    }
}
