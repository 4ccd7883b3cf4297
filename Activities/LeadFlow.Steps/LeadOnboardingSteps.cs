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

    /// <summary>
    /// Optional (<c>NotifyBranch__Enabled</c>): tells the partner's store about its new member through the CRM backend.
    /// Added in release v1.1, behind <c>Workflow.Patched("notify-branch")</c> in the Temporal workflow.
    /// </summary>
    public const string NotifyBranch = "NotifyBranch";

    /// <summary>The compensating error step (the original state machine's CatchErrors): undo, then record the failure.</summary>
    public const string RecordFailure = "RecordFailure";

    /// <summary>
    /// Transient failures are retried from 1 s, doubling, at most every 5 minutes, for up to 24 hours. A CRM that
    /// throttles (<see cref="LeadErrorTypes.CrmThrottled"/>) is retried no sooner than its <c>Retry-After</c> on
    /// Temporal, and from <see cref="StepRetryPolicy.ThrottledInitialInterval"/> (5 s) on Step Functions, which
    /// cannot read the header.
    /// </summary>
    public static readonly StepRetryPolicy DefaultRetry = new(
        InitialInterval: TimeSpan.FromSeconds(1),
        BackoffCoefficient: 2.0,
        MaximumInterval: TimeSpan.FromMinutes(5),
        RetryWindow: TimeSpan.FromHours(24),
        NonRetryableErrorTypes: [LeadErrorTypes.LeadRejected, LeadErrorTypes.CrmRejected, LeadErrorTypes.CrmConflict])
    {
        ThrottledInitialInterval = TimeSpan.FromSeconds(5),
    };

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
        new(ReceiveLead, StartToCloseTimeout: TimeSpan.FromSeconds(10), DefaultRetry, StepInput.Event, ResultName: "received", Deterministic: true),
        new(CreateClient, StartToCloseTimeout: TimeSpan.FromSeconds(30), DefaultRetry, StepInput.Lead, ResultName: "client"),
        new(CreatePartner, StartToCloseTimeout: TimeSpan.FromSeconds(30), DefaultRetry, StepInput.Lead, ResultName: "partner"),
        new(CreateBenefit, StartToCloseTimeout: TimeSpan.FromSeconds(30), DefaultRetry, StepInput.Lead, ResultName: "benefit"),
        new(NotifyBranch, StartToCloseTimeout: TimeSpan.FromSeconds(30), DefaultRetry, StepInput.Lead, ResultName: "notifyBranch"),
    ];

    /// <summary>Where every step's failure goes (Catch in Step Functions, the saga's catch in Temporal).</summary>
    public static readonly StepDefinition ErrorStep = new(RecordFailure, StartToCloseTimeout: TimeSpan.FromMinutes(1), ErrorStepRetry, StepInput.Failure, ResultName: "failure");

    public static StepDefinition Get(string name) =>
        name == RecordFailure ? ErrorStep : InOrder.Single(step => step.Name == name);
}

/// <summary>One step: its name (the activity type and the state name), how long one attempt may take, how it is retried, what it takes and gives.</summary>
/// <param name="Input">What the step works on.</param>
/// <param name="ResultName">The name of the step's result (Step Functions keeps it at <c>$.received</c> for ReceiveLead, <c>$.steps.&lt;name&gt;</c> for the creates, <c>$.failure</c> for the error step).</param>
/// <param name="Deterministic">
/// The step is pure code (ReceiveLead: unwrap and validate, no I/O): whatever it throws, it throws again for the
/// same input, so its own errors are never retried. Temporal runs it as a local activity with one attempt; Step
/// Functions retries only the Lambda service's own errors around it (<see cref="StepRetryPolicy"/> still gives
/// their backoff), never the step's.
/// </param>
public sealed record StepDefinition(string Name, TimeSpan StartToCloseTimeout, StepRetryPolicy Retry, StepInput Input, string ResultName, bool Deterministic = false);

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
/// <param name="InitialInterval">The first pause; each next one is <paramref name="BackoffCoefficient"/> times longer.</param>
/// <param name="MaximumInterval">The cap of one pause. Temporal also caps a failure's own next-retry delay (a CRM's <c>Retry-After</c>) at it.</param>
/// <param name="RetryWindow">How long, from the first attempt, the step is retried at all.</param>
/// <param name="NonRetryableErrorTypes">Error types (<see cref="LeadErrorTypes"/>) that end the step at once.</param>
public sealed record StepRetryPolicy(
    TimeSpan InitialInterval,
    double BackoffCoefficient,
    TimeSpan MaximumInterval,
    TimeSpan RetryWindow,
    IReadOnlyList<string> NonRetryableErrorTypes)
{
    /// <summary>
    /// The first pause after a <see cref="LeadErrorTypes.CrmThrottled"/> answer where the host cannot honour the
    /// CRM's <c>Retry-After</c> itself (Step Functions: a Retry has fixed intervals), doubling like the rest and
    /// capped at <see cref="MaximumInterval"/>. Temporal waits exactly as long as the CRM asked instead.
    /// </summary>
    public TimeSpan ThrottledInitialInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The backoff Step Functions uses for <see cref="LeadErrorTypes.CrmThrottled"/>: this policy from <see cref="ThrottledInitialInterval"/>.</summary>
    public StepRetryPolicy Throttled => this with { InitialInterval = ThrottledInitialInterval };
}

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

    /// <summary>
    /// The CRM backend asked to slow down: 429 (RFC 6585 section 4), or 503 with <c>Retry-After</c> (RFC 9110 section 15.6.4).
    /// Retried within the retry window, no sooner than the answer's <c>Retry-After</c> where the host can honour it.
    /// </summary>
    public const string CrmThrottled = "CrmThrottled";

    /// <summary>A run that ended failed for any reason other than an invalid lead.</summary>
    public const string LeadOnboardingFailed = "LeadOnboardingFailed";

    /// <summary>
    /// The run was cancelled (Temporal: <c>temporal workflow cancel</c>, the Web UI's Cancel): it was compensated like a
    /// failure, including the step that was running, and the failure is recorded with this type. The run itself ends
    /// with Temporal's status Canceled. Not a retryable step error: nothing raises it but a cancellation.
    /// </summary>
    public const string LeadCancelled = "LeadCancelled";
}
