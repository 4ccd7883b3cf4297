using LeadFlow.Ingress.Starting;
using LeadFlow.Workflows;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Status;

/// <summary>A lead as <c>GET /leads/{id}</c> shows it: Temporal's view of the run plus the workflow's own status query.</summary>
/// <param name="RunStatus">Temporal's run status: Running, Completed, Failed, Terminated, ...</param>
/// <param name="Lead">The status query's answer; null when no worker answered it.</param>
/// <param name="LeadUnavailable">Why <paramref name="Lead"/> is null.</param>
/// <param name="Attention">What a person must do for the lead to go on (<see cref="LeadAttention"/>), e.g. "CRM refuses our credentials: ..."; null when nothing.</param>
public sealed record LeadStatusView(string WorkflowId, string RunId, string RunStatus, DateTime StartedAt, DateTime? ClosedAt, LeadStatus? Lead, string? LeadUnavailable, string? Attention = null);

public sealed class LeadStatusReader(TemporalClientSource temporal)
{
    /// <summary>An event id or a full workflow id (<c>lead-...</c>) to the workflow id.</summary>
    public static string WorkflowIdOf(string leadId) =>
        leadId.StartsWith(LeadWorkflowIds.ForEvent(""), StringComparison.Ordinal) ? leadId : LeadWorkflowIds.ForEvent(leadId);

    /// <returns>Null when there is no such lead.</returns>
    /// <exception cref="TemporalUnavailableException">Temporal did not answer.</exception>
    public async Task<LeadStatusView?> FindAsync(string leadId, CancellationToken cancellationToken = default)
    {
        var client = await temporal.GetAsync(cancellationToken);
        var handle = client.GetWorkflowHandle<LeadOnboardingWorkflow>(WorkflowIdOf(leadId));
        var rpc = new RpcOptions { Retry = true, Timeout = TimeSpan.FromSeconds(temporal.Options.RpcTimeoutSeconds), CancellationToken = cancellationToken };
        WorkflowExecutionDescription description;
        try
        {
            description = await handle.DescribeAsync(new WorkflowDescribeOptions { Rpc = rpc });
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException e) when (LeadWorkflowStarter.IsUnavailable(e))
        {
            throw new TemporalUnavailableException($"Temporal at {temporal.Options.Address} did not answer: {e.Message}", e);
        }

        LeadStatus? lead = null;
        string? unavailable = null;
        try
        {
            // A query is answered by a worker, also for a closed run.
            lead = await handle.QueryAsync(wf => wf.GetStatus(), new WorkflowQueryOptions { Rpc = rpc });
        }
        catch (Exception e) when (e is RpcException or WorkflowQueryFailedException or WorkflowQueryRejectedException)
        {
            unavailable = $"the status query was not answered (is a worker running on task queue {description.TaskQueue}?): {e.Message}";
        }

        var attention = description.Status == Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Running
            ? await LeadAttention.FindAsync(client, description.Id, description.RunId, rpc)
            : null;
        return new LeadStatusView(description.Id, description.RunId, description.Status.ToString(), description.StartTime, description.CloseTime, lead, unavailable, attention);
    }
}
