using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// ContinueAsNewWorkflowExecution: closes the run with WorkflowExecutionContinuedAsNew and starts the next
/// run of the same workflow id in the same step (the chain lock is already held), keeping the first run id
/// and the execution expiration, as the real server does.
/// </summary>
internal sealed class ContinueAsNew(RunLifecycle lifecycle)
{
    public void Apply(WorkflowRun run, ContinueAsNewWorkflowExecutionCommandAttributes command, long completedEventId)
    {
        var spec = new RunStartSpec
        {
            WorkflowType = string.IsNullOrEmpty(command.WorkflowType?.Name) ? run.WorkflowType : command.WorkflowType.Name,
            TaskQueue = string.IsNullOrEmpty(command.TaskQueue?.Name) ? run.TaskQueue : command.TaskQueue.Name,
            Input = command.Input,
            ExecutionTimeout = run.ExecutionTimeout,
            RunTimeout = command.WorkflowRunTimeout?.ToTimeSpan() is { } runTimeout && runTimeout > TimeSpan.Zero ? runTimeout : run.RunTimeout,
            WorkflowTaskTimeout = command.WorkflowTaskTimeout?.ToTimeSpan() is { } taskTimeout && taskTimeout > TimeSpan.Zero ? taskTimeout : run.WorkflowTaskTimeout,
            Header = command.Header,
            Memo = command.Memo ?? run.Memo,
            SearchAttributes = command.SearchAttributes ?? run.SearchAttributes,
            RetryPolicy = command.RetryPolicy,
            StartDelay = command.BackoffStartInterval?.ToTimeSpan() ?? TimeSpan.Zero,
            Initiator = command.Initiator == ContinueAsNewInitiator.Unspecified ? ContinueAsNewInitiator.Workflow : command.Initiator,
            ContinuedFromRunId = run.RunId,
            ContinuedFailure = command.Failure,
            LastCompletionResult = command.LastCompletionResult,
            FirstRunId = run.FirstRunId,
            ExecutionExpiration = run.ExecutionExpiration,
            RequestId = Guid.NewGuid().ToString(),
        };

        var newRunId = lifecycle.CreateRunId();
        lifecycle.Close(
            run,
            new HistoryEvent
            {
                EventType = EventType.WorkflowExecutionContinuedAsNew,
                WorkflowExecutionContinuedAsNewEventAttributes = new WorkflowExecutionContinuedAsNewEventAttributes
                {
                    NewExecutionRunId = newRunId,
                    WorkflowType = new WorkflowType { Name = spec.WorkflowType },
                    TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = spec.TaskQueue, Kind = TaskQueueKind.Normal },
                    Input = command.Input,
                    WorkflowRunTimeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(spec.RunTimeout),
                    WorkflowTaskTimeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(spec.WorkflowTaskTimeout),
                    WorkflowTaskCompletedEventId = completedEventId,
                    BackoffStartInterval = command.BackoffStartInterval,
                    Initiator = spec.Initiator,
                    LastCompletionResult = command.LastCompletionResult,
                    Header = command.Header,
                    Memo = command.Memo,
                    SearchAttributes = command.SearchAttributes,
                },
            },
            WorkflowExecutionStatus.ContinuedAsNew);
        run.NewRunId = newRunId;
        lifecycle.Start(run.Chain, spec with { RunId = newRunId });
    }
}
