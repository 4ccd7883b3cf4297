using LeadFlow.Leads;
using Microsoft.Extensions.Options;

namespace LeadFlow.Steps;

/// <summary>
/// The optional NotifyBranch step, the same code on both hosts: when <see cref="NotifyBranchOptions.Enabled"/>, sends
/// <c>POST /notify_branch</c> under the lead's key for the step (<see cref="CreateSteps.BranchNotification"/>) and returns
/// the notification's row; when off, calls nothing and returns null (the run goes on: the step is optional).
/// </summary>
public sealed class NotifyBranchStep(CreateStepRunner createStep, IOptionsMonitor<NotifyBranchOptions> options)
{
    /// <summary>Whether the step notifies the store at the moment (read per attempt, so a changed setting applies to the next lead).</summary>
    public bool Enabled => options.CurrentValue.Enabled;

    /// <returns>The notification's row and whether this run created it; null when the step is switched off.</returns>
    /// <exception cref="LeadStepException">As any create step: 4xx permanent, 5xx and timeouts transient.</exception>
    public async Task<StepRecord?> RunAsync(Lead lead, string leadId, string runId, CancellationToken cancellationToken) =>
        Enabled ? await createStep.RunAsync(CreateSteps.BranchNotification, lead, leadId, runId, cancellationToken).ConfigureAwait(false) : null;
}
