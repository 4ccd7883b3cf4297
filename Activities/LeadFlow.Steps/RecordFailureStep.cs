using LeadFlow.Steps.Crm;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Steps;

/// <summary>
/// The compensating error step: undoes, newest first, only the rows this run created (a client that
/// existed before the lead stays), then records the failure so a person can look it up and act.
/// Every call is idempotent, so the step can be retried until the backend is back.
/// </summary>
public sealed partial class RecordFailureStep(ICrmApi crm, ILogger<RecordFailureStep> logger)
{
    public const int MaxReasonLength = 4000;
    public const int MaxFieldErrors = 100;

    /// <summary>The backend's bound on the kept event (characters); a longer one is left out rather than have the record refused.</summary>
    public const int MaxEventLength = 12_000;

    /// <param name="runId">The run that failed (Temporal run id, Step Functions execution name), see <see cref="IdempotencyKeys"/>.</param>
    public async Task<LeadFailureOutcome> RunAsync(LeadFailure failure, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var undone = new List<StepRecord>();
        var notUndone = new List<string>();
        foreach (var record in failure.CreatedRecords.Reverse().Where(r => r.Created))
        {
            try
            {
                await CreateSteps.Named(record.Step).UndoAsync(crm, record.Id, cancellationToken).ConfigureAwait(false);
                LogUndone(record.Step, record.Id, failure.LeadId);
                undone.Add(record);
            }
            catch (CrmPermanentException e)
            {
                // The backend refuses this undo for good (e.g. 409: another lead attached a row to this client
                // meanwhile). Retrying cannot change that, and the failure must still be recorded: a person
                // gets the leftover in the reason instead.
                LogNotUndone(e, record.Step, record.Id, failure.LeadId);
                notUndone.Add($"{record.Step} row {record.Id} not undone: {e.Message}");
            }
        }

        var reason = $"{failure.ErrorType}: {failure.Reason}";
        if (notUndone.Count > 0)
        {
            reason = $"{reason} | {string.Join(" | ", notUndone)}";
        }

        // Within the backend's bounds: a failure record refused for its size would be a lost failure.
        var request = new LeadFailureRequest(
            failure.LeadId,
            failure.FailedStep,
            reason.Length <= MaxReasonLength ? reason : reason[..(MaxReasonLength - 3)] + "...",
            failure.PayloadReference,
            failure.FieldErrors.Count == 0 ? null : [.. failure.FieldErrors.Take(MaxFieldErrors)],
            failure.EventJson is { Length: <= MaxEventLength } eventJson ? eventJson : null);
        var answer = await crm.RecordLeadFailureAsync(request, IdempotencyKeys.For(failure.LeadId, runId, LeadOnboardingSteps.RecordFailure), cancellationToken).ConfigureAwait(false);
        LogRecorded(failure.LeadId, failure.FailedStep, failure.ErrorType, answer.Id);
        return new LeadFailureOutcome(answer.Id, undone);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Undid {Step} row {Id} created for {LeadId}")]
    private partial void LogUndone(string step, long id, string leadId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not undo {Step} row {Id} created for {LeadId}")]
    private partial void LogNotUndone(Exception exception, string step, long id, string leadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lead {LeadId} failed at {Step} ({ErrorType}); failure recorded as {FailureId}")]
    private partial void LogRecorded(string leadId, string step, string errorType, long failureId);
}
