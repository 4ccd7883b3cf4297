using LeadFlow.Steps.Crm;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Steps;

/// <summary>
/// The compensating error step (the original state machine's CatchErrors): undoes, newest first, every create the run
/// started, up to and including the step that failed, was cancelled or timed out while running, then records the
/// failure so a person can look it up and act. The undo is asked by idempotency key (<c>POST /compensations</c>), one
/// generic call per step, also for rows the run found stored (to release its hold) and for a step whose answer never
/// came back: the backend serialises the undo with a create still running under the key, and refuses a create that
/// arrives after it. A row another lead run relies on is kept, and the record says for whom. Every call is
/// idempotent, so the step can be retried until the backend is back.
/// </summary>
public sealed partial class RecordFailureStep(ICrmApi crm, ILogger<RecordFailureStep> logger)
{
    public const int MaxReasonLength = 4000;
    public const int MaxFieldErrors = 100;

    /// <summary>The backend's bound on the kept event (characters); a longer one is left out rather than have the record refused.</summary>
    public const int MaxEventLength = 12_000;

    /// <summary>The backend's rule when an undo comes before the undo of a row hanging off it (409).</summary>
    public const string CompensationOrderRule = "compensation.order";

    /// <param name="runId">The run that failed (Temporal run id, Step Functions execution name), see <see cref="IdempotencyKeys"/>.</param>
    /// <returns>The failure record's id, the rows deleted, and every step's undo (newest first).</returns>
    /// <exception cref="CrmTransientException">The backend is unreachable: retry the step.</exception>
    /// <exception cref="CrmPermanentException">The backend refused a request for a reason other than the undo order (a bug, not a lead's fault).</exception>
    public async Task<LeadFailureOutcome> RunAsync(LeadFailure failure, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var compensations = new List<StepCompensation>();
        foreach (var step in CreateSteps.StartedUpTo(failure.FailedStep).Reverse())
        {
            compensations.Add(await CompensateAsync(failure.LeadId, runId, step.Name, cancellationToken).ConfigureAwait(false));
        }

        var undone = compensations
            .Where(c => c.Outcome == CompensationOutcomes.Deleted)
            .Select(c => failure.CreatedRecords.FirstOrDefault(r => r.Step == c.Step && r.Id == c.Id) ?? new StepRecord(c.Step, c.Id ?? 0, Created: true))
            .ToList();

        // Within the backend's bounds: a failure record refused for its size would be a lost failure.
        var request = new LeadFailureRequest(
            failure.LeadId,
            failure.FailedStep,
            ReasonOf(failure, compensations),
            failure.PayloadReference,
            failure.FieldErrors.Count == 0 ? null : [.. failure.FieldErrors.Take(MaxFieldErrors)],
            compensations.Count == 0 ? null : [.. compensations.Select(c => c.ToRecord())],
            failure.EventJson is { Length: <= MaxEventLength } eventJson ? eventJson : null);
        var answer = await crm.RecordLeadFailureAsync(request, IdempotencyKeys.For(failure.LeadId, runId, LeadOnboardingSteps.RecordFailure), cancellationToken).ConfigureAwait(false);
        LogRecorded(failure.LeadId, failure.FailedStep, failure.ErrorType, answer.Id);
        LeadFlowMetrics.Compensation(compensations);
        return new LeadFailureOutcome(answer.Id, undone, compensations);
    }

    /// <summary>
    /// <c>CrmRejected: &lt;why&gt; | undo: CreateBenefit nothing to undo; CreatePartner partner 4 kept for lead-e2 (run r2); ...</c>:
    /// the step's reason, cut short when needed so the undo always fits.
    /// </summary>
    private static string ReasonOf(LeadFailure failure, IReadOnlyList<StepCompensation> compensations)
    {
        var cause = $"{failure.ErrorType}: {failure.Reason}";
        var undo = compensations.Count == 0 ? "" : $" | undo: {string.Join("; ", compensations.Select(c => $"{c.Step} {c.Describe()}"))}";
        if (undo.Length > MaxReasonLength / 2)
        {
            undo = undo[..((MaxReasonLength / 2) - 3)] + "...";
        }

        var room = MaxReasonLength - undo.Length;
        return (cause.Length <= room ? cause : cause[..(room - 3)] + "...") + undo;
    }

    private async Task<StepCompensation> CompensateAsync(string leadId, string runId, string step, CancellationToken cancellationToken)
    {
        var key = IdempotencyKeys.For(leadId, runId, step);
        try
        {
            var compensation = StepCompensation.From(step, await crm.CompensateAsync(new CompensationRequest(key), cancellationToken).ConfigureAwait(false));
            LogCompensated(step, leadId, compensation.Describe());
            return compensation;
        }
        catch (CrmPermanentException e) when (e.StatusCode == 409 && e.FieldErrors.Any(f => f.Rule == CompensationOrderRule))
        {
            // Only reachable when a row of this run that hangs off this one was not undone first. Retrying cannot
            // change that, and the failure must still be recorded: a person gets the leftover in the record.
            LogNotUndone(e, step, leadId);
            return new StepCompensation(step, key, StepCompensation.NotUndone, e.Message, null, null, []);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Undo of {Step} for {LeadId}: {Outcome}")]
    private partial void LogCompensated(string step, string leadId, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not undo {Step} for {LeadId}")]
    private partial void LogNotUndone(Exception exception, string step, string leadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lead {LeadId} failed at {Step} ({ErrorType}); failure recorded as {FailureId}")]
    private partial void LogRecorded(string leadId, string step, string errorType, long failureId);
}
