using System.Globalization;

namespace LeadFlow.Steps.Crm;

/// <summary>
/// <c>Crm__Timeout</c> against the step timeouts it lives inside (<see cref="LeadOnboardingSteps"/>: Temporal's
/// StartToCloseTimeout, Step Functions' TimeoutSeconds and the step Lambdas' Timeout): a backend call that may outlast its
/// step's attempt is cut by the orchestrator instead of answered, so every retry of a slow call fails the same way. Each
/// step must fit all its calls: one for a create, one undo per create step plus the failure record for the error step.
/// Checked at start-up by every host that calls the CRM (worker, step Lambdas).
/// </summary>
public static class CrmTimeouts
{
    /// <summary>How many CRM calls one attempt of a step makes at most, one after the other.</summary>
    public static int CallsPerAttempt(StepDefinition step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Input switch
        {
            StepInput.Event => 0,
            StepInput.Lead => 1,
            _ => CreateSteps.All.Count + 1,
        };
    }

    /// <summary>The longest <c>Crm__Timeout</c> every step fits (all its calls strictly within its StartToCloseTimeout).</summary>
    public static TimeSpan Longest => LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep)
        .Where(step => CallsPerAttempt(step) > 0)
        .Min(step => (step.StartToCloseTimeout / CallsPerAttempt(step)) - TimeSpan.FromMilliseconds(1));

    /// <summary>One sentence per step the timeout does not fit, naming the variable, the step and the rule; empty when it fits.</summary>
    public static IReadOnlyList<string> Problems(TimeSpan timeout) =>
        LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep)
            .Where(step => CallsPerAttempt(step) > 0 && timeout * CallsPerAttempt(step) >= step.StartToCloseTimeout)
            .Select(step => string.Create(
                CultureInfo.InvariantCulture,
                $"Crm__Timeout ({timeout:c}) must let {step.Name}'s {CallsPerAttempt(step)} CRM call(s) finish within its StartToCloseTimeout ({step.StartToCloseTimeout:c}): at most {Longest:c} (default 00:00:10)"))
            .ToList();
}
