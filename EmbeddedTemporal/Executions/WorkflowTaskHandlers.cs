using Grpc.Core;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>The worker side of workflow tasks: poll, complete, fail, query answers and ShutdownWorker.</summary>
internal sealed class WorkflowTaskHandlers(ServerState state, WorkflowTasks workflowTasks, CommandApplier commands, QueryRouter queries, ActivityScheduling activities)
{
    public void Register(RpcHandlerTable table)
    {
        table.Add<PollWorkflowTaskQueueRequest, PollWorkflowTaskQueueResponse>(PollAsync);
        table.Add<RespondWorkflowTaskCompletedRequest, RespondWorkflowTaskCompletedResponse>(Complete);
        table.Add<RespondWorkflowTaskFailedRequest, RespondWorkflowTaskFailedResponse>(Fail);
        table.Add<RespondQueryTaskCompletedRequest, RespondQueryTaskCompletedResponse>(queries.Complete);
        table.Add<ShutdownWorkerRequest, ShutdownWorkerResponse>(ShutdownWorker);
    }

    private async Task<PollWorkflowTaskQueueResponse> PollAsync(PollWorkflowTaskQueueRequest request, ServerCallContext context)
    {
        state.Namespaces.Require(request.Namespace);
        var fromSticky = request.TaskQueue.Kind == TaskQueueKind.Sticky;
        var queue = state.Queues.Workflow(request.Namespace, request.TaskQueue.Name);
        using var poll = LongPoll.Start(state, context);
        while (true)
        {
            var item = await poll.TakeAsync(queue, context, request.Identity).ConfigureAwait(false);
            if (item is null)
            {
                return new PollWorkflowTaskQueueResponse();
            }

            var response = item.LegacyQuery is not null
                ? queries.TryStartLegacy(item, fromSticky)
                : workflowTasks.TryStart(item, request);
            if (response is not null)
            {
                return response;
            }
        }
    }

    private RespondWorkflowTaskCompletedResponse Complete(RespondWorkflowTaskCompletedRequest request)
    {
        var (run, task) = FindStartedTask(request.TaskToken);
        lock (run.Gate)
        {
            EnsureCurrent(run, task);
            AnswerQueries(task, request);

            if (CommandApplier.Validate(run, state.Namespaces.Require(run.Namespace), request.Commands) is { } invalid)
            {
                // A bad command fails the task and nothing of the batch is written, as on the real server.
                WriteFailed(run, task, invalid.Cause, ServerFailure(invalid.Message), request.Identity);
                WorkflowTasks.FailAttachedQueries(task, invalid.Message);
                queries.Reroute(run, task.LateQueries);
                workflowTasks.Retry(run, incrementAttempt: true);
                return new RespondWorkflowTaskCompletedResponse();
            }

            var closing = request.Commands.Any(CommandApplier.IsCloseCommand);
            if (closing && run.BufferedWrites.Count > 0)
            {
                // New events arrived while the worker decided to close: the real server refuses the close with
                // UNHANDLED_COMMAND and hands the worker a new task with those events.
                WriteFailed(run, task, WorkflowTaskFailedCause.UnhandledCommand, null, request.Identity);
                queries.Reroute(run, task.LateQueries);
                workflowTasks.Retry(run, incrementAttempt: false);
                return new RespondWorkflowTaskCompletedResponse();
            }

            WorkflowTasks.PersistTransient(run, task);
            var completed = run.History.Append(new HistoryEvent
            {
                EventType = EventType.WorkflowTaskCompleted,
                WorkflowTaskCompletedEventAttributes = new WorkflowTaskCompletedEventAttributes
                {
                    ScheduledEventId = task.ScheduledEventId,
                    StartedEventId = task.StartedEventId,
                    Identity = request.Identity,
                    SdkMetadata = request.SdkMetadata,
                    MeteringMetadata = request.MeteringMetadata,
                },
            });
            run.WorkflowTask = null;
            run.WorkflowTaskAttempt = 1;
            run.PreviousStartedEventId = task.StartedEventId;
            run.StickyQueue = string.IsNullOrEmpty(request.StickyAttributes?.WorkerTaskQueue?.Name) ? null : request.StickyAttributes.WorkerTaskQueue.Name;
            run.StickyScheduleToStartTimeout = request.StickyAttributes?.ScheduleToStartTimeout?.ToTimeSpan() is { } timeout && timeout > TimeSpan.Zero
                ? timeout
                : TimeSpan.FromSeconds(5);

            var needsTask = commands.Apply(run, request.Commands, completed.EventId, request.Identity);
            var hadBuffered = run.IsOpen && WorkflowTasks.FlushBuffered(run);
            if (run.IsOpen && (hadBuffered || needsTask || request.ForceCreateNewWorkflowTask))
            {
                workflowTasks.ScheduleIfNeeded(run);
            }

            queries.Reroute(run, task.LateQueries);
            return WithEagerActivities(run, request);
        }
    }

    /// <summary>The real server hands back at most this many eagerly started activities per workflow task.</summary>
    private const int MaxEagerActivities = 10;

    private RespondWorkflowTaskCompletedResponse WithEagerActivities(WorkflowRun run, RespondWorkflowTaskCompletedRequest request)
    {
        var response = new RespondWorkflowTaskCompletedResponse();
        foreach (var command in request.Commands)
        {
            var schedule = command.ScheduleActivityTaskCommandAttributes;
            if (!run.IsOpen || response.ActivityTasks.Count >= MaxEagerActivities)
            {
                break;
            }

            if (command.CommandType == CommandType.ScheduleActivityTask && schedule.RequestEagerExecution
                && (string.IsNullOrEmpty(schedule.TaskQueue?.Name) || schedule.TaskQueue.Name == run.TaskQueue)
                && activities.TryStartEager(run, schedule.ActivityId, request.Identity) is { } eager)
            {
                response.ActivityTasks.Add(eager);
            }
        }

        return response;
    }

    private RespondWorkflowTaskFailedResponse Fail(RespondWorkflowTaskFailedRequest request)
    {
        var (run, task) = FindStartedTask(request.TaskToken);
        lock (run.Gate)
        {
            EnsureCurrent(run, task);

            // Only the first failure is written; later attempts stay transient until one completes.
            WriteFailed(run, task, request.Cause, request.Failure, request.Identity);
            WorkflowTasks.FailAttachedQueries(task, request.Failure?.Message ?? "workflow task failed");
            queries.Reroute(run, task.LateQueries);
            workflowTasks.Retry(run, incrementAttempt: true);
            return new RespondWorkflowTaskFailedResponse();
        }
    }

    /// <summary>
    /// A worker shutting down gracefully names its sticky queue: tasks on it move to the normal queue at once
    /// instead of waiting for the sticky schedule-to-start timeout.
    /// </summary>
    private ShutdownWorkerResponse ShutdownWorker(ShutdownWorkerRequest request)
    {
        if (!string.IsNullOrEmpty(request.StickyTaskQueue))
        {
            foreach (var item in state.Queues.ShutDownSticky(request.Namespace, request.StickyTaskQueue))
            {
                workflowTasks.Redirect(item);
            }
        }

        return new ShutdownWorkerResponse();
    }

    private static void WriteFailed(WorkflowRun run, WorkflowTaskInfo task, WorkflowTaskFailedCause cause, Temporalio.Api.Failure.V1.Failure? failure, string identity)
    {
        if (task.IsTransient)
        {
            return;
        }

        run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowTaskFailed,
            WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
            {
                ScheduledEventId = task.ScheduledEventId,
                StartedEventId = task.StartedEventId,
                Cause = cause,
                Failure = failure,
                Identity = identity,
            },
        });
    }

    private static Temporalio.Api.Failure.V1.Failure ServerFailure(string message) =>
        new() { Message = message, Source = "Server", ServerFailureInfo = new() };

    private (WorkflowRun Run, WorkflowTaskInfo Task) FindStartedTask(Google.Protobuf.ByteString tokenBytes)
    {
        var token = TaskToken.Decode(tokenBytes, TaskTokenKind.WorkflowTask);
        var run = state.Executions.FindByRunId(token.RunId) ?? throw RpcErrors.NotFound("Workflow task not found.");
        lock (run.Gate)
        {
            if (run.WorkflowTask is { IsStarted: true } task && task.ScheduledEventId == token.ScheduledEventId && task.Attempt == token.Attempt)
            {
                return (run, task);
            }
        }

        throw run.IsOpen ? RpcErrors.NotFound("Workflow task not found.") : RpcErrors.WorkflowCompleted();
    }

    private static void EnsureCurrent(WorkflowRun run, WorkflowTaskInfo task)
    {
        if (!run.IsOpen)
        {
            throw RpcErrors.WorkflowCompleted();
        }

        if (!ReferenceEquals(run.WorkflowTask, task))
        {
            throw RpcErrors.NotFound("Workflow task not found.");
        }
    }

    private static void AnswerQueries(WorkflowTaskInfo task, RespondWorkflowTaskCompletedRequest request)
    {
        foreach (var query in task.AttachedQueries)
        {
            if (request.QueryResults.TryGetValue(query.Id, out var result))
            {
                query.Answer.TrySetResult(result.ResultType == QueryResultType.Answered
                    ? new QueryAnswer(result.Answer, null, null)
                    : new QueryAnswer(null, string.IsNullOrEmpty(result.ErrorMessage) ? "query failed" : result.ErrorMessage, result.Failure));
            }
            else
            {
                query.Answer.TrySetResult(new QueryAnswer(null, "the worker did not answer the query", null));
            }
        }

        task.AttachedQueries.Clear();
    }
}
