namespace LeadFlow.Steps;

/// <summary>
/// The one list of the lead onboarding steps, in order, with their timeouts, retry policy and what each
/// takes and gives. Plain data on purpose: the Temporal workflow builds its activity options from it, and
/// the AWS Step Functions definition (<c>lead-onboarding.asl.json</c>) is generated from it, so the two
/// hosts cannot drift apart.
/// </summary>
public static class LeadOnboardingSteps
{
    public const string ReceiveLead = "ReceiveLead";
    public const string CreateClient = "CreateClient";
    public const string CreatePartner = "CreatePartner";
    public const string CreateBenefit = "CreateBenefit";

    /// <summary>The compensating error step (the original state machine's CatchErrors): undo, then record the failure.</summary>
    public const string RecordFailure = "RecordFailure";

    /// <summary>Transient failures are retried from 1 s, doubling, at most every 5 minutes, for up to 24 hours.</summary>
    public static readonly StepRetryPolicy DefaultRetry = new(
        InitialInterval: TimeSpan.FromSeconds(1),
        BackoffCoefficient: 2.0,
        MaximumInterval: TimeSpan.FromMinutes(5),
        RetryWindow: TimeSpan.FromHours(24),
        NonRetryableErrorTypes: [LeadErrorTypes.LeadRejected, LeadErrorTypes.CrmRejected, LeadErrorTypes.CrmConflict]);

    /// <summary>
    /// The error step outlives the steps it cleans up after: a CRM outage at compensation time must
    /// delay the failure record, never lose it.
    /// </summary>
    public static readonly StepRetryPolicy ErrorStepRetry = DefaultRetry with { RetryWindow = TimeSpan.FromDays(7) };

    /// <summary>
    /// How often a step retries while the CRM refuses our credentials (<see cref="LeadErrorTypes.CrmUnauthorized"/>): every
    /// 5 minutes, within the step's retry window. A wrong or rotated key is an operator's fix that takes minutes, not
    /// seconds, and it concerns every lead at once: the leads wait for it (their status says why) instead of failing
    /// into failure records that could not be written either, since the failure record needs the same key.
    /// </summary>
    public static readonly TimeSpan CredentialsRetryInterval = TimeSpan.FromMinutes(5);

    /// <summary>A step's retry policy while the CRM refuses our credentials: a fixed <see cref="CredentialsRetryInterval"/>, the same window.</summary>
    public static StepRetryPolicy WaitingForCredentials(StepRetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy with { InitialInterval = CredentialsRetryInterval, BackoffCoefficient = 1.0, MaximumInterval = CredentialsRetryInterval };
    }

    /// <summary>The happy path, in order.</summary>
    public static readonly IReadOnlyList<StepDefinition> InOrder =
    [
        new(ReceiveLead, StartToCloseTimeout: TimeSpan.FromSeconds(10), DefaultRetry, StepInput.Event, ResultName: "received"),
        new(CreateClient, StartToCloseTimeout: TimeSpan.FromSeconds(30), DefaultRetry, StepInput.Lead, ResultName: "client"),
        new(CreatePartner, StartToCloseTimeout: TimeSpan.FromSeconds(30), DefaultRetry, StepInput.Lead, ResultName: "partner"),
        new(CreateBenefit, StartToCloseTimeout: TimeSpan.FromSeconds(30), DefaultRetry, StepInput.Lead, ResultName: "benefit"),
    ];

    /// <summary>Where every step's failure goes (Catch in Step Functions, the saga's catch in Temporal).</summary>
    public static readonly StepDefinition ErrorStep = new(RecordFailure, StartToCloseTimeout: TimeSpan.FromMinutes(1), ErrorStepRetry, StepInput.Failure, ResultName: "failure");

    public static StepDefinition Get(string name) =>
        name == RecordFailure ? ErrorStep : InOrder.Single(step => step.Name == name);
}

/// <summary>One step: its name (the activity type and the state name), how long one attempt may take, how it is retried, what it takes and gives.</summary>
/// <param name="Input">What the step works on.</param>
/// <param name="ResultName">The name of the step's result (Step Functions keeps it at <c>$.received</c> for ReceiveLead, <c>$.steps.&lt;name&gt;</c> for the creates, <c>$.failure</c> for the error step).</param>
public sealed record StepDefinition(string Name, TimeSpan StartToCloseTimeout, StepRetryPolicy Retry, StepInput Input, string ResultName);

/// <summary>What a step works on.</summary>
public enum StepInput
{
    /// <summary>The bus event as delivered (the EventBridge envelope).</summary>
    Event,

    /// <summary>The validated lead, with the lead id and the run (for the idempotency key).</summary>
    Lead,

    /// <summary>The failure and what this run created so far (the compensating error step).</summary>
    Failure,
}

/// <summary>Capped exponential backoff for transient errors, for at most <see cref="RetryWindow"/> (schedule-to-close).</summary>
public sealed record StepRetryPolicy(
    TimeSpan InitialInterval,
    double BackoffCoefficient,
    TimeSpan MaximumInterval,
    TimeSpan RetryWindow,
    IReadOnlyList<string> NonRetryableErrorTypes);

/// <summary>The error type names a failed step or lead carries (Temporal's ApplicationFailure type, Step Functions' error name).</summary>
public static class LeadErrorTypes
{
    /// <summary>The event or the lead in it is invalid: a person has to fix the lead. Not retryable.</summary>
    public const string LeadRejected = "LeadRejected";

    /// <summary>The CRM backend refused a request (4xx other than 409). Not retryable.</summary>
    public const string CrmRejected = "CrmRejected";

    /// <summary>The CRM backend answered 409, e.g. a partner for a client that does not exist. Not retryable.</summary>
    public const string CrmConflict = "CrmConflict";

    /// <summary>
    /// The CRM refuses our credentials (401 or 403): an operator must fix the key (<c>Crm__ApiKey</c>, or the secret the
    /// Lambdas read). Logged as critical with the fix, shown in the lead's status, and retried every
    /// <see cref="LeadOnboardingSteps.CredentialsRetryInterval"/> within the retry window, so the lead waits for the fixed key.
    /// </summary>
    public const string CrmUnauthorized = "CrmUnauthorized";

    /// <summary>5xx, timeout or refused connection. Retried within the retry window.</summary>
    public const string CrmUnavailable = "CrmUnavailable";

    /// <summary>A run that ended failed for any reason other than an invalid lead.</summary>
    public const string LeadOnboardingFailed = "LeadOnboardingFailed";
}
