using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// StartWorkflowExecution and SignalWithStartWorkflowExecution: request-id idempotency, then the id conflict
/// policy (a run is open) or the id reuse policy (the last run is closed), as the real history service decides.
/// </summary>
internal sealed class StartHandlers(ServerState state, RunLifecycle lifecycle, WorkflowTasks workflowTasks)
{
    public void Register(RpcHandlerTable table)
    {
        table.Add<StartWorkflowExecutionRequest, StartWorkflowExecutionResponse>(Start);
        table.Add<SignalWithStartWorkflowExecutionRequest, SignalWithStartWorkflowExecutionResponse>(SignalWithStart);
    }

    private StartWorkflowExecutionResponse Start(StartWorkflowExecutionRequest request)
    {
        Validate(request.Namespace, request.WorkflowId, request.WorkflowType?.Name, request.TaskQueue?.Name);
        var spec = new RunStartSpec
        {
            WorkflowType = request.WorkflowType!.Name,
            TaskQueue = request.TaskQueue!.Name,
            Input = request.Input,
            ExecutionTimeout = request.WorkflowExecutionTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            RunTimeout = request.WorkflowRunTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            WorkflowTaskTimeout = request.WorkflowTaskTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            Identity = request.Identity,
            RequestId = string.IsNullOrEmpty(request.RequestId) ? Guid.NewGuid().ToString() : request.RequestId,
            Header = request.Header,
            Memo = request.Memo,
            SearchAttributes = request.SearchAttributes,
            UserMetadata = request.UserMetadata,
            RetryPolicy = request.RetryPolicy,
            StartDelay = request.WorkflowStartDelay?.ToTimeSpan() ?? TimeSpan.Zero,
        };
        ValidateSearchAttributes(request.Namespace, request.SearchAttributes);

        while (true)
        {
            var chain = state.Executions.Chain(request.Namespace, request.WorkflowId);
            lock (chain.Gate)
            {
                if (chain.IsDeleted)
                {
                    continue;
                }

                var (run, started) = StartOrReuse(chain, spec, request.WorkflowIdReusePolicy, request.WorkflowIdConflictPolicy);
                return new StartWorkflowExecutionResponse { RunId = run.RunId, Started = started, Status = run.Status };
            }
        }
    }

    /// <summary>Unknown attributes and values of the wrong type are refused before anything starts, as the frontend does.</summary>
    private void ValidateSearchAttributes(string @namespace, Temporalio.Api.Common.V1.SearchAttributes? attributes)
    {
        if (Visibility.SearchAttributeSchema.Validate(state.Namespaces.Require(@namespace), attributes) is { } invalid)
        {
            throw RpcErrors.InvalidArgument(invalid);
        }
    }

    private SignalWithStartWorkflowExecutionResponse SignalWithStart(SignalWithStartWorkflowExecutionRequest request)
    {
        Validate(request.Namespace, request.WorkflowId, request.WorkflowType?.Name, request.TaskQueue?.Name);
        ValidateSearchAttributes(request.Namespace, request.SearchAttributes);
        while (true)
        {
            var chain = state.Executions.Chain(request.Namespace, request.WorkflowId);
            lock (chain.Gate)
            {
                if (!chain.IsDeleted)
                {
                    return SignalWithStart(request, chain);
                }
            }
        }
    }

    /// <summary>Caller holds the chain lock.</summary>
    private SignalWithStartWorkflowExecutionResponse SignalWithStart(SignalWithStartWorkflowExecutionRequest request, WorkflowChain chain)
    {
        {
            // Signal-with-start signals an open run whatever the conflict policy (except TerminateExisting).
            if (chain.Current is { IsOpen: true } open && request.WorkflowIdConflictPolicy != WorkflowIdConflictPolicy.TerminateExisting)
            {
                Signals.Signal(open, workflowTasks, request.SignalName, request.SignalInput, request.Identity, request.Header);
                return new SignalWithStartWorkflowExecutionResponse { RunId = open.RunId, Started = false };
            }

            var spec = new RunStartSpec
            {
                WorkflowType = request.WorkflowType!.Name,
                TaskQueue = request.TaskQueue!.Name,
                Input = request.Input,
                ExecutionTimeout = request.WorkflowExecutionTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
                RunTimeout = request.WorkflowRunTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
                WorkflowTaskTimeout = request.WorkflowTaskTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
                Identity = request.Identity,
                RequestId = string.IsNullOrEmpty(request.RequestId) ? Guid.NewGuid().ToString() : request.RequestId,
                Header = request.Header,
                Memo = request.Memo,
                SearchAttributes = request.SearchAttributes,
                UserMetadata = request.UserMetadata,
                RetryPolicy = request.RetryPolicy,
                StartDelay = request.WorkflowStartDelay?.ToTimeSpan() ?? TimeSpan.Zero,
                SignalEvent = Signals.SignaledEvent(request.SignalName, request.SignalInput, request.Identity, request.Header),
            };
            var (run, started) = StartOrReuse(chain, spec, request.WorkflowIdReusePolicy, WorkflowIdConflictPolicy.TerminateExisting);
            return new SignalWithStartWorkflowExecutionResponse { RunId = run.RunId, Started = started };
        }
    }

    /// <summary>Caller holds the chain lock.</summary>
    private (WorkflowRun Run, bool Started) StartOrReuse(WorkflowChain chain, RunStartSpec spec, WorkflowIdReusePolicy reusePolicy, WorkflowIdConflictPolicy conflictPolicy)
    {
        if (chain.Runs.FirstOrDefault(r => r.StartRequestId == spec.RequestId) is { } same)
        {
            // The same request retried by the client: answer as the first time.
            return (same, true);
        }

#pragma warning disable CS0612 // Deprecated, but older clients still send it: it means conflict policy TerminateExisting.
        if (reusePolicy == WorkflowIdReusePolicy.TerminateIfRunning)
#pragma warning restore CS0612
        {
            conflictPolicy = WorkflowIdConflictPolicy.TerminateExisting;
        }

        if (chain.Current is { IsOpen: true } running)
        {
            switch (conflictPolicy)
            {
                case WorkflowIdConflictPolicy.UseExisting:
                    return (running, false);
                case WorkflowIdConflictPolicy.TerminateExisting:
                    lifecycle.ForceClose(running, Terminations.TerminatedEvent("terminated by a start with id conflict policy TerminateExisting", null, spec.Identity), WorkflowExecutionStatus.Terminated);
                    break;
                default:
                    throw RpcErrors.WorkflowAlreadyStarted(
                        $"Workflow execution is already running. WorkflowId: {chain.WorkflowId}, RunId: {running.RunId}.", running.StartRequestId, running.RunId);
            }
        }
        else if (chain.Current is { } last && !ReuseAllowed(last, reusePolicy))
        {
            throw RpcErrors.WorkflowAlreadyStarted(
                $"Workflow execution already finished and its id reuse policy {reusePolicy} does not allow a new run. WorkflowId: {chain.WorkflowId}, RunId: {last.RunId}.",
                last.StartRequestId,
                last.RunId);
        }

        return (lifecycle.Start(chain, spec), true);
    }

    private static bool ReuseAllowed(WorkflowRun last, WorkflowIdReusePolicy policy) => policy switch
    {
        WorkflowIdReusePolicy.RejectDuplicate => false,
        WorkflowIdReusePolicy.AllowDuplicateFailedOnly => last.Status is WorkflowExecutionStatus.Failed or WorkflowExecutionStatus.Canceled
            or WorkflowExecutionStatus.Terminated or WorkflowExecutionStatus.TimedOut,
        _ => true,
    };

    private void Validate(string @namespace, string workflowId, string? workflowType, string? taskQueue)
    {
        state.Namespaces.Require(@namespace);
        if (string.IsNullOrEmpty(workflowId))
        {
            throw RpcErrors.InvalidArgument("WorkflowId is not set on request.");
        }

        if (string.IsNullOrEmpty(workflowType))
        {
            throw RpcErrors.InvalidArgument("WorkflowType is not set on request.");
        }

        if (string.IsNullOrEmpty(taskQueue))
        {
            throw RpcErrors.InvalidArgument("TaskQueue is not set on request.");
        }
    }
}

/// <summary>The WorkflowExecutionSignaled event and delivering it to a run.</summary>
internal static class Signals
{
    public static HistoryEvent SignaledEvent(string name, Payloads? input, string identity, Header? header) => new()
    {
        EventType = EventType.WorkflowExecutionSignaled,
        WorkflowExecutionSignaledEventAttributes = new WorkflowExecutionSignaledEventAttributes
        {
            SignalName = name,
            Input = input,
            Identity = identity,
            Header = header ?? new Header(),
        },
    };

    /// <summary>Caller holds the run's lock.</summary>
    public static void Signal(WorkflowRun run, WorkflowTasks workflowTasks, string name, Payloads? input, string identity, Header? header)
    {
        var signaled = SignaledEvent(name, input, identity, header);
        workflowTasks.WriteOrBuffer(run, () => run.History.Append(signaled));
    }
}

/// <summary>The WorkflowExecutionTerminated event.</summary>
internal static class Terminations
{
    public static HistoryEvent TerminatedEvent(string reason, Payloads? details, string identity) => new()
    {
        EventType = EventType.WorkflowExecutionTerminated,
        WorkflowExecutionTerminatedEventAttributes = new WorkflowExecutionTerminatedEventAttributes
        {
            Reason = reason,
            Details = details,
            Identity = identity,
        },
    };
}
