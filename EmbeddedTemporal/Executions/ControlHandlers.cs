using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>Signal, terminate and cancel-request of a running workflow.</summary>
internal sealed class ControlHandlers(ServerState state, RunLifecycle lifecycle, WorkflowTasks workflowTasks)
{
    public void Register(RpcHandlerTable table)
    {
        table.Add<SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse>(Signal);
        table.Add<TerminateWorkflowExecutionRequest, TerminateWorkflowExecutionResponse>(Terminate);
        table.Add<RequestCancelWorkflowExecutionRequest, RequestCancelWorkflowExecutionResponse>(RequestCancel);
    }

    private SignalWorkflowExecutionResponse Signal(SignalWorkflowExecutionRequest request)
    {
        var run = OpenRun(request.Namespace, request.WorkflowExecution?.WorkflowId, request.WorkflowExecution?.RunId, out var gate);
        lock (gate)
        {
            run = Latest(run, request.WorkflowExecution?.RunId);
            EnsureOpen(run);
            if (!string.IsNullOrEmpty(request.RequestId) && !run.SeenRequestIds.Add(request.RequestId))
            {
                return new SignalWorkflowExecutionResponse();
            }

            Signals.Signal(run, workflowTasks, request.SignalName, request.Input, request.Identity, request.Header);
            return new SignalWorkflowExecutionResponse();
        }
    }

    private TerminateWorkflowExecutionResponse Terminate(TerminateWorkflowExecutionRequest request)
    {
        var run = OpenRun(request.Namespace, request.WorkflowExecution?.WorkflowId, request.WorkflowExecution?.RunId, out var gate);
        lock (gate)
        {
            run = Latest(run, request.WorkflowExecution?.RunId);
            EnsureOpen(run);
            lifecycle.ForceClose(run, Terminations.TerminatedEvent(request.Reason, request.Details, request.Identity), WorkflowExecutionStatus.Terminated);
            return new TerminateWorkflowExecutionResponse();
        }
    }

    /// <summary>Writes WorkflowExecutionCancelRequested (once) and a workflow task; the workflow decides how to cancel.</summary>
    private RequestCancelWorkflowExecutionResponse RequestCancel(RequestCancelWorkflowExecutionRequest request)
    {
        var run = OpenRun(request.Namespace, request.WorkflowExecution?.WorkflowId, request.WorkflowExecution?.RunId, out var gate);
        lock (gate)
        {
            run = Latest(run, request.WorkflowExecution?.RunId);
            EnsureOpen(run);
            if (run.CancelRequested)
            {
                return new RequestCancelWorkflowExecutionResponse();
            }

            run.CancelRequested = true;
            var requested = new HistoryEvent
            {
                EventType = EventType.WorkflowExecutionCancelRequested,
                WorkflowExecutionCancelRequestedEventAttributes = new WorkflowExecutionCancelRequestedEventAttributes
                {
                    Cause = request.Reason,
                    Identity = request.Identity,
                },
            };
            workflowTasks.WriteOrBuffer(run, () => run.History.Append(requested));
            return new RequestCancelWorkflowExecutionResponse();
        }
    }

    private WorkflowRun OpenRun(string @namespace, string? workflowId, string? runId, out Lock gate)
    {
        state.Namespaces.Require(@namespace);
        if (string.IsNullOrEmpty(workflowId))
        {
            throw RpcErrors.InvalidArgument("WorkflowId is not set on request.");
        }

        var run = state.Executions.Find(@namespace, workflowId, runId);
        gate = run.Gate;
        return run;
    }

    /// <summary>Without a run id the call is about the current run, which continue-as-new may have just replaced.</summary>
    private static WorkflowRun Latest(WorkflowRun run, string? runId) =>
        string.IsNullOrEmpty(runId) ? run.Chain.Current ?? run : run;

    private static void EnsureOpen(WorkflowRun run)
    {
        if (!run.IsOpen)
        {
            throw RpcErrors.WorkflowCompleted();
        }
    }
}
