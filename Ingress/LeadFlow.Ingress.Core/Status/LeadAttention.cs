using LeadFlow.Steps;
using Temporalio.Api.WorkflowService.V1;

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
}
