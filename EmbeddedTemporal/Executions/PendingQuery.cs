using Temporalio.Api.Common.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.Query.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>A QueryWorkflow call waiting for a worker's answer.</summary>
internal sealed class PendingQuery(WorkflowQuery query)
{
    public string Id { get; } = Guid.NewGuid().ToString();

    public WorkflowQuery Query { get; } = query;

    public TaskCompletionSource<QueryAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What the worker answered: a result, or an error message and failure.</summary>
internal sealed record QueryAnswer(Payloads? Result, string? ErrorMessage, Failure? Failure);
