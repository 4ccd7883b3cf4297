using LeadFlow.Leads;
using LeadFlow.Steps;
using Microsoft.Extensions.Logging;
using Temporalio.Activities;
using Temporalio.Exceptions;

namespace LeadFlow.Temporal;

/// <summary>
/// The steps as Temporal activities. Each one runs the host-agnostic step inside a logging scope
/// carrying the workflow id, and turns the step's typed errors into Temporal failures: the error
/// type is kept, validation and 4xx errors are non-retryable, a CRM's <c>Retry-After</c> becomes the failure's
/// next retry delay (the server waits that long instead of the policy's backoff, capped at the policy's maximum
/// interval), and the <see cref="StepFailure"/> (the description both hosts share) travels as the failure's first detail.
/// Each attempt's duration goes to <see cref="LeadFlowMetrics"/>; its span is the tracing interceptor's <c>RunActivity</c>.
/// </summary>
public sealed partial class LeadOnboardingActivities(
    ReceiveLeadStep receiveLead,
    CreateStepRunner createStep,
    NotifyBranchStep notifyBranch,
    RecordFailureStep recordFailure,
    ILogger<LeadOnboardingActivities> logger)
{
    [Activity(LeadOnboardingSteps.ReceiveLead)]
    public Task<Lead> ReceiveLeadAsync(string eventJson) =>
        RunAsync(LeadOnboardingSteps.ReceiveLead, _ => Task.FromResult(receiveLead.Receive(eventJson)));

    [Activity(LeadOnboardingSteps.CreateClient)]
    public Task<StepRecord> CreateClientAsync(Lead lead) =>
        RunAsync(LeadOnboardingSteps.CreateClient, ct => createStep.RunAsync(CreateSteps.Client, lead, LeadId, RunId, ct));

    [Activity(LeadOnboardingSteps.CreatePartner)]
    public Task<StepRecord> CreatePartnerAsync(Lead lead) =>
        RunAsync(LeadOnboardingSteps.CreatePartner, ct => createStep.RunAsync(CreateSteps.Partner, lead, LeadId, RunId, ct));

    [Activity(LeadOnboardingSteps.CreateBenefit)]
    public Task<StepRecord> CreateBenefitAsync(Lead lead) =>
        RunAsync(LeadOnboardingSteps.CreateBenefit, ct => createStep.RunAsync(CreateSteps.Benefit, lead, LeadId, RunId, ct));

    /// <summary>The optional NotifyBranch step: the notification's row, or null while <c>NotifyBranch__Enabled</c> is off.</summary>
    [Activity(LeadOnboardingSteps.NotifyBranch)]
    public Task<StepRecord?> NotifyBranchAsync(Lead lead) =>
        RunAsync(LeadOnboardingSteps.NotifyBranch, ct => notifyBranch.RunAsync(lead, LeadId, RunId, ct));

    [Activity(LeadOnboardingSteps.RecordFailure)]
    public Task<LeadFailureOutcome> RecordFailureAsync(LeadFailure failure) =>
        RunAsync(LeadOnboardingSteps.RecordFailure, ct => recordFailure.RunAsync(failure, RunId, ct));

    /// <summary>The lead's durable id: the workflow id (<c>lead-&lt;event id&gt;</c>), stable across retries and replays.</summary>
    private static string LeadId => ActivityExecutionContext.Current.Info.WorkflowId
        ?? throw new InvalidOperationException("Lead onboarding activities run inside a lead workflow");

    private static string RunId => ActivityExecutionContext.Current.Info.WorkflowRunId
        ?? throw new InvalidOperationException("Lead onboarding activities run inside a lead workflow");

    /// <summary>
    /// A positive <c>Retry-After</c>; none otherwise, so the policy's backoff applies (the server reads an explicit
    /// zero as "use the maximum interval", see the README's Throttling section).
    /// </summary>
    private static TimeSpan? NextRetryDelayOf(LeadStepException failure) =>
        failure is CrmTransientException { RetryAfter: { } wait } && wait > TimeSpan.Zero ? wait : null;

    private async Task<T> RunAsync<T>(string step, Func<CancellationToken, Task<T>> run)
    {
        var context = ActivityExecutionContext.Current;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["WorkflowId"] = LeadId,
            ["RunId"] = RunId,
            ["Step"] = step,
            ["Attempt"] = context.Info.Attempt,
        });
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var result = await run(context.CancellationToken).ConfigureAwait(false);
            LeadFlowMetrics.StepAttempt(step, System.Diagnostics.Stopwatch.GetElapsedTime(started), errorType: null);
            return result;
        }
        catch (LeadStepException e)
        {
            LeadFlowMetrics.StepAttempt(step, System.Diagnostics.Stopwatch.GetElapsedTime(started), e.ErrorType);
            if (e is CrmUnauthorizedException)
            {
                // An operator must act: critical, with the fix in the message; the lead waits for the fixed key.
                LogCredentialsRefused(step, LeadId, e.Message);
            }

            throw new ApplicationFailureException(
                e.Message, e, e.ErrorType, nonRetryable: !e.Retryable, details: [StepFailure.From(step, e)], nextRetryDelay: CredentialsDelayOf(e) ?? NextRetryDelayOf(e));
        }
    }

    /// <summary>While the CRM refuses our credentials the next attempt waits <see cref="LeadOnboardingSteps.CredentialsRetryInterval"/>, as on Step Functions.</summary>
    private static TimeSpan? CredentialsDelayOf(LeadStepException failure) =>
        failure is CrmUnauthorizedException ? LeadOnboardingSteps.CredentialsRetryInterval : null;

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Step} of {LeadId} is waiting: {Reason}")]
    private partial void LogCredentialsRefused(string step, string leadId, string reason);
}
