using LeadFlow.Steps;

namespace LeadFlow.Workflows;

/// <summary>
/// The input lead workflows were started with before the envelope itself became the input: still accepted (runs in
/// flight, the checked-in replay histories, scripts), read by <see cref="LeadWorkflowInput"/>. New starts give the
/// envelope as a JSON object and the options as the second argument.
/// </summary>
/// <param name="EventJson">The EventBridge envelope as a JSON string; its <c>detail</c> is the lead.</param>
/// <param name="Options">Tuning of this run; a second start argument takes precedence.</param>
public sealed record LeadOnboardingInput(string EventJson, LeadOnboardingOptions? Options = null);

/// <summary>
/// Timeouts and retries of one lead's steps. The defaults come from <see cref="LeadOnboardingSteps"/>;
/// tests shorten them, operators may lengthen the retry window for a long CRM maintenance.
/// </summary>
public sealed record LeadOnboardingOptions
{
    /// <summary>How long one attempt of a step may take; null keeps each step's own default.</summary>
    public TimeSpan? StepTimeout { get; init; }

    /// <summary>How long transient errors (CRM down, 5xx, timeouts) are retried before the lead fails (schedule-to-close).</summary>
    public TimeSpan RetryWindow { get; init; } = LeadOnboardingSteps.DefaultRetry.RetryWindow;

    public TimeSpan InitialRetryInterval { get; init; } = LeadOnboardingSteps.DefaultRetry.InitialInterval;

    public double BackoffCoefficient { get; init; } = LeadOnboardingSteps.DefaultRetry.BackoffCoefficient;

    /// <summary>The cap of the exponential backoff.</summary>
    public TimeSpan MaximumRetryInterval { get; init; } = LeadOnboardingSteps.DefaultRetry.MaximumInterval;

    /// <summary>How long the compensating error step keeps retrying: longer than the steps, so no failure goes unrecorded.</summary>
    public TimeSpan ErrorStepRetryWindow { get; init; } = LeadOnboardingSteps.ErrorStepRetry.RetryWindow;
}
