using LeadFlow.EmbeddedTemporal.Executions;
using LeadFlow.EmbeddedTemporal.Namespaces;
using LeadFlow.EmbeddedTemporal.TaskQueues;
using LeadFlow.EmbeddedTemporal.Visibility;

namespace LeadFlow.EmbeddedTemporal.Grpc;

/// <summary>Wires the engine parts together and lists every WorkflowService and OperatorService method this server implements.</summary>
internal static class WorkflowServiceHandlers
{
    public static ServiceHandlers Create(ServerState state)
    {
        var workflowTasks = new WorkflowTasks(state);
        var lifecycle = new RunLifecycle(state, workflowTasks);
        var outcomes = new ActivityOutcomes(workflowTasks);
        var scheduling = new ActivityScheduling(state, outcomes);
        outcomes.Scheduling = scheduling;
        var queries = new QueryRouter(state);
        var commands = new CommandApplier(state, scheduling, outcomes, workflowTasks, new ContinueAsNew(lifecycle), lifecycle);

        var table = new RpcHandlerTable();
        new NamespaceHandlers(state).Register(table);
        new StartHandlers(state, lifecycle, workflowTasks).Register(table);
        new ControlHandlers(state, lifecycle, workflowTasks).Register(table);
        new WorkflowTaskHandlers(state, workflowTasks, commands, queries, scheduling).Register(table);
        new ActivityHandlers(state, scheduling, outcomes).Register(table);
        new HistoryHandlers(state).Register(table);
        new VisibilityHandlers(state).Register(table);
        new TaskQueueHandlers(state).Register(table);
        table.Add<Temporalio.Api.WorkflowService.V1.QueryWorkflowRequest, Temporalio.Api.WorkflowService.V1.QueryWorkflowResponse>(queries.QueryAsync);

        var operatorTable = new RpcHandlerTable();
        new SearchAttributeHandlers(state).Register(operatorTable);
        return new ServiceHandlers(table, operatorTable);
    }
}
