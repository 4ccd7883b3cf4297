using System.Linq.Expressions;
using LeadFlow.Leads;
using LeadFlow.Steps;
using LeadFlow.Temporal;
using Microsoft.Extensions.Logging;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace LeadFlow.Workflows;

/// <summary>
/// One lead becomes a client, a partner and a benefit in the CRM, or a recorded failure a person can act on.
/// A saga (Garcia-Molina and Salem, 1987): on failure, cancellation or a step's retry window running out, the error
/// step undoes, newest first and by idempotency key, every create this run started (the one in flight included),
/// then records why. Overlapping leads of one person are isolated by the backend's holds (Richardson's semantic
/// lock): an undo keeps a row another lead run relies on. Deterministic: all I/O is in the activities.
/// </summary>
/// <remarks>
/// Cancellation: activities keep the SDK's default <see cref="ActivityCancellationType.TryCancel"/>. The workflow
/// does not wait for the step in flight to acknowledge (it does not heartbeat, so it would only learn of the cancel by
/// finishing): its undo is asked by key, and the backend serialises it with that step's request whatever the order
/// (a request still running commits first and is undone; one arriving later is refused). The run then ends Canceled.
/// </remarks>
[Workflow]
public sealed partial class LeadOnboardingWorkflow
{
    public const string DefaultTaskQueue = "lead-onboarding";

    /// <summary>
    /// The <see cref="Workflow.Patched"/> id of ending a cancelled run Canceled (<see cref="LeadOutcome.Cancelled"/>)
    /// instead of Failed: a command change at the end of the run, so runs cancelled before it replay as they ran.
    /// </summary>
    public const string CancelledRunsEndCanceledPatch = "cancelled-runs-end-canceled";

    /// <summary>
    /// The <see cref="Workflow.Patched"/> id of the NotifyBranch step (release v1.1). Asked once, at the start of the run,
    /// so the whole run follows the release it started on: a run started before v1.1 has no marker in its first workflow
    /// task, so it answers false there on every replay and never notifies, even when it reaches CreateBenefit's end on a
    /// v1.1 worker (asked at the step itself, Patched would answer true for it past the end of its history).
    /// </summary>
    public const string NotifyBranchPatch = "notify-branch";

    /// <summary>
    /// The rows the create steps reported so far, for the status query and the error step's record. The undo itself
    /// does not depend on them: it goes by idempotency key, so a step whose answer never came back is undone too.
    /// </summary>
    private readonly List<StepRecord> records = [];
    private IReadOnlyList<StepRecord> undone = [];
    private string currentStep = LeadOnboardingSteps.ReceiveLead;
    private LeadOutcome outcome = LeadOutcome.Running;
    private LeadError? error;
    private bool notifiesBranch;

    private static string LeadId => Workflow.Info.WorkflowId;

    /// <summary>
    /// Runs one lead. The input is the bus event itself, so an operator can start or re-run a lead from the Temporal
    /// Web UI or CLI with the event (<c>temporal workflow start --type LeadOnboardingWorkflow --input @event.json</c>).
    /// Both arguments are taken raw and read by <see cref="LeadWorkflowInput"/>, so no input, however wrong, fails the
    /// workflow task (which Temporal would retry for ever): an input that is not a lead event ends the run at once as
    /// <c>LeadRejected</c>, with the reason recorded.
    /// </summary>
    /// <param name="input">
    /// The EventBridge envelope as a JSON object (or as a JSON string); also <see cref="LeadOnboardingInput"/>, the
    /// input of runs started before (its <c>EventJson</c> is the envelope as a string).
    /// </param>
    /// <param name="options">Optional <see cref="LeadOnboardingOptions"/>; for a <see cref="LeadOnboardingInput"/>, its own <c>Options</c> apply when this is absent.</param>
    [WorkflowRun]
    public async Task<LeadOnboardingResult> RunAsync(IRawValue? input = null, IRawValue? options = null)
    {
        var start = LeadWorkflowInput.Read(input, options, Workflow.PayloadConverter);
        return await OnboardAsync(start);
    }

    [WorkflowQuery]
    public LeadStatus GetStatus() => new(LeadId, currentStep, outcome, [.. records], undone, error);

    private async Task<LeadOnboardingResult> OnboardAsync(LeadWorkflowInput start)
    {
        var options = start.Options;
        notifiesBranch = Workflow.Patched(NotifyBranchPatch);
        LeadRunVisibility.Started();
        try
        {
            var lead = start.Rejection is { } rejection
                ? throw new ApplicationFailureException(rejection.Reason, rejection.ErrorType, nonRetryable: true, details: [rejection])
                : await ReceiveAsync(start.EventJson!, options);
            var client = await CreateAsync(LeadOnboardingSteps.CreateClient, lead, options, step => step.CreateClientAsync(lead));
            var partner = await CreateAsync(LeadOnboardingSteps.CreatePartner, lead, options, step => step.CreatePartnerAsync(lead));
            var benefit = await CreateAsync(LeadOnboardingSteps.CreateBenefit, lead, options, step => step.CreateBenefitAsync(lead));
            if (notifiesBranch)
            {
                await NotifyBranchAsync(lead, options);
            }

            outcome = LeadOutcome.Completed;
            LeadRunVisibility.Ended(outcome);
            LogCompleted(Workflow.Logger, LeadId, client.Id, partner.Id, benefit.Id);
            return new LeadOnboardingResult(LeadId, client.Id, partner.Id, benefit.Id, [.. records]);
        }
        catch (Exception failure) when (failure is ActivityFailureException or ApplicationFailureException or TimeoutFailureException or CanceledFailureException)
        {
            // A local activity's failure (ReceiveLead) may arrive as the activity's own failure, not wrapped.
            var stepFailure = TemporalStepFailures.Describe(currentStep, failure);
            error = new LeadError(stepFailure.Step, stepFailure.ErrorType, stepFailure.Reason, stepFailure.FieldErrors);
            await RecordFailureAsync(options, stepFailure, start.EventJson);
            throw FailedRun();
        }
    }

    /// <summary>
    /// A local activity: unwrapping and validating the event touches nothing outside the worker, so it runs
    /// in the worker without the server round trips of a full activity (a lead costs four, not five). It is
    /// deterministic, so it gets one attempt: whatever it throws, it would throw again.
    /// </summary>
    private Task<Lead> ReceiveAsync(string eventJson, LeadOnboardingOptions options)
    {
        currentStep = LeadOnboardingSteps.ReceiveLead;
        var step = ActivityOptionsFor(LeadOnboardingSteps.Get(LeadOnboardingSteps.ReceiveLead), options, options.RetryWindow);
        return Workflow.ExecuteLocalActivityAsync(
            (LeadOnboardingActivities activities) => activities.ReceiveLeadAsync(eventJson),
            new LocalActivityOptions { StartToCloseTimeout = step.StartToCloseTimeout, ScheduleToCloseTimeout = step.ScheduleToCloseTimeout, RetryPolicy = step.RetryPolicy, Summary = LeadRunVisibility.ReceiveSummary });
    }

    private async Task<StepRecord> CreateAsync(string name, Lead lead, LeadOnboardingOptions options, Expression<Func<LeadOnboardingActivities, Task<StepRecord>>> create)
    {
        var record = await StepAsync(name, options, create, LeadRunVisibility.Summary(name, lead));
        records.Add(record);
        return record;
    }

    private Task<T> StepAsync<T>(string name, LeadOnboardingOptions options, Expression<Func<LeadOnboardingActivities, Task<T>>> step, string summary)
    {
        currentStep = name;
        LeadRunVisibility.Step(name);
        var activityOptions = ActivityOptionsFor(LeadOnboardingSteps.Get(name), options, options.RetryWindow);
        activityOptions.Summary = summary;
        return Workflow.ExecuteActivityAsync(step, activityOptions);
    }

    /// <summary>
    /// The optional NotifyBranch step: the step itself reads <c>NotifyBranch__Enabled</c> and answers null (no row) while it is
    /// off. Its row is undone like a create's when a later failure or a cancellation compensates the run.
    /// </summary>
    private async Task NotifyBranchAsync(Lead lead, LeadOnboardingOptions options)
    {
        var record = await StepAsync(LeadOnboardingSteps.NotifyBranch, options, step => step.NotifyBranchAsync(lead), LeadRunVisibility.Summary(LeadOnboardingSteps.NotifyBranch, lead));
        if (record is not null)
        {
            records.Add(record);
        }
    }

    /// <summary>Undo what this run created and record the failure. Retried on its own, longer policy; never skipped.</summary>
    private async Task RecordFailureAsync(LeadOnboardingOptions options, StepFailure stepFailure, string? eventJson)
    {
        var failed = error!;
        // The event goes with the failure record: the lead can be redriven from it after Temporal's retention.
        var failure = LeadFailure.Of(LeadId, stepFailure, [.. records], $"temporal://{Workflow.Info.Namespace}/workflows/{LeadId}/{Workflow.Info.RunId}", eventJson);
        currentStep = LeadOnboardingSteps.RecordFailure;
        LeadRunVisibility.Failing(failed.FailedStep);
        var errorStep = ActivityOptionsFor(LeadOnboardingSteps.ErrorStep, options with { StepTimeout = null }, options.ErrorStepRetryWindow);
        errorStep.Summary = LeadRunVisibility.RecordFailureSummary(failure);

        // Compensation must run even when the run itself is being cancelled.
        errorStep.CancellationToken = CancellationToken.None;
        try
        {
            var recorded = await Workflow.ExecuteActivityAsync((LeadOnboardingActivities step) => step.RecordFailureAsync(failure), errorStep);
            undone = recorded.Undone;
            error = failed with { FailureRecordId = recorded.FailureId, Compensations = recorded.Compensations };
        }
        catch (ActivityFailureException notRecorded)
        {
            error = failed with { Message = $"{failed.Message} (and the failure could not be recorded: {notRecorded.InnerException?.Message ?? notRecorded.Message})" };
        }

        outcome = failed.Type switch
        {
            LeadErrorTypes.LeadRejected => LeadOutcome.Rejected,
            // Runs cancelled before this version ended Failed: their replay must close the same way.
            LeadErrorTypes.LeadCancelled when Workflow.CancellationToken.IsCancellationRequested && Workflow.Patched(CancelledRunsEndCanceledPatch) => LeadOutcome.Cancelled,
            _ => LeadOutcome.Failed,
        };
        LeadRunVisibility.Ended(outcome);
        LogFailed(Workflow.Logger, LeadId, failed.FailedStep, failed.Type, failed.Message);
    }

    /// <summary>
    /// Ends the run as Failed with a typed reason, so Temporal lists every lead that needs a person; or, for a cancelled
    /// run, as Canceled (the operator's own act, not a lead that needs a person; the status query and the failure record
    /// say <c>LeadCancelled</c> and what was undone).
    /// </summary>
    private Exception FailedRun()
    {
        var failed = error!;
        if (outcome == LeadOutcome.Cancelled)
        {
            // A cancellation exception while cancellation was requested is what makes the SDK close the run as Canceled.
            return new OperationCanceledException(new StepFailure(failed.FailedStep, failed.Type, failed.Message, failed.FieldErrors).Summary(LeadId));
        }

        var errorType = outcome == LeadOutcome.Rejected ? LeadErrorTypes.LeadRejected : LeadErrorTypes.LeadOnboardingFailed;
        return new ApplicationFailureException(
            new StepFailure(failed.FailedStep, failed.Type, failed.Message, failed.FieldErrors).Summary(LeadId),
            errorType,
            nonRetryable: true,
            details: [failed]);
    }

    private static ActivityOptions ActivityOptionsFor(StepDefinition step, LeadOnboardingOptions options, TimeSpan retryWindow) => new()
    {
        StartToCloseTimeout = options.StepTimeout ?? step.StartToCloseTimeout,
        ScheduleToCloseTimeout = retryWindow,
        RetryPolicy = new RetryPolicy
        {
            InitialInterval = options.InitialRetryInterval,
            BackoffCoefficient = (float)options.BackoffCoefficient,
            MaximumInterval = options.MaximumRetryInterval,
            NonRetryableErrorTypes = [.. step.Retry.NonRetryableErrorTypes],

            // A deterministic step's errors repeat for the same input: one attempt (0 would mean unlimited).
            MaximumAttempts = step.Deterministic ? 1 : 0,
        },
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} completed: client {ClientId}, partner {PartnerId}, benefit {BenefitId}")]
    private static partial void LogCompleted(ILogger logger, string leadId, long clientId, long partnerId, long benefitId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lead {LeadId} failed at {Step} ({ErrorType}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string leadId, string step, string errorType, string reason);
}
