using LeadFlow.Steps;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Status;

/// <summary>
/// What a person must do for a running lead, read from Temporal's view of the run (the workflow itself never sees an
/// activity's failed attempts): a step whose last attempt failed because the CRM refuses our credentials
/// (<see cref="LeadErrorTypes.CrmUnauthorized"/>) makes the lead wait for an operator.
/// </summary>
public static class LeadAttention
{
    /// <returns>E.g. <c>CRM refuses our credentials: CreateClient waits (attempt 3) ...</c>; null when nothing needs a person.</returns>
    public static string? Of(DescribeWorkflowExecutionResponse description)
    {
        ArgumentNullException.ThrowIfNull(description);
        foreach (var activity in description.PendingActivities)
        {
            if (activity.LastFailure?.ApplicationFailureInfo?.Type == LeadErrorTypes.CrmUnauthorized)
            {
                return $"{CrmUnauthorizedException.Headline}: {activity.ActivityType?.Name} waits (attempt {activity.Attempt}) and retries every "
                    + $"{LeadOnboardingSteps.CredentialsRetryInterval.TotalMinutes:0} minutes until an operator sets the CRM backend's write key (Crm__ApiKey).";
            }
        }

        return null;
    }

    /// <summary>Describes the run and reads <see cref="Of(DescribeWorkflowExecutionResponse)"/>; null when Temporal does not answer (the status shows without it).</summary>
    public static async Task<string?> FindAsync(ITemporalClient client, string workflowId, string runId, RpcOptions rpc)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            var description = await client.WorkflowService.DescribeWorkflowExecutionAsync(
                new DescribeWorkflowExecutionRequest { Namespace = client.Options.Namespace, Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflowId, RunId = runId } },
                rpc);
            return Of(description);
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
