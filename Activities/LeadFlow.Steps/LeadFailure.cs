using LeadFlow.Leads;

namespace LeadFlow.Steps;

/// <summary>The compensating error step's input: what failed, why, and what this run had created so far.</summary>
/// <param name="LeadId">The lead's durable id (the workflow id).</param>
/// <param name="FailedStep">One of <see cref="LeadOnboardingSteps"/>: the step that failed, or that was running when the run was cancelled or timed out.</param>
/// <param name="ErrorType">One of <see cref="LeadErrorTypes"/>.</param>
/// <param name="CreatedRecords">
/// The rows the create steps reported, in the order they were created. Informational: the undo is asked by
/// idempotency key for every create step up to and including <paramref name="FailedStep"/>
/// (<see cref="CreateSteps.StartedUpTo"/>), which also covers a step whose answer never came back.
/// </param>
/// <param name="PayloadReference">Where the original event can be found (e.g. the workflow run).</param>
/// <param name="EventJson">
/// The original bus event (the EventBridge envelope as JSON text), recorded with the failure so the lead can be
/// redriven after the orchestrator forgot the run (Temporal's retention); null when the run had none. Personal data:
/// encrypted in Temporal payloads by the codec, never logged.
/// </param>
public sealed record LeadFailure(
    string LeadId,
    string FailedStep,
    string Reason,
    string ErrorType,
    IReadOnlyList<FieldError> FieldErrors,
    IReadOnlyList<StepRecord> CreatedRecords,
    string? PayloadReference,
    string? EventJson = null)
{
    /// <summary>The error step's input for a failed step, with the rows this run created so far (in creation order) and the run's event.</summary>
    public static LeadFailure Of(string leadId, StepFailure failure, IReadOnlyList<StepRecord> createdRecords, string? payloadReference, string? eventJson = null)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new LeadFailure(leadId, failure.Step, failure.Reason, failure.ErrorType, failure.FieldErrors, createdRecords, payloadReference, eventJson);
    }

    /// <summary>The one-line account both hosts end a failed lead with (<see cref="StepFailure.Summary"/>).</summary>
    public string Summary => new StepFailure(FailedStep, ErrorType, Reason, FieldErrors).Summary(LeadId);
}

/// <summary>What the error step did: the failure record's id, the rows it deleted, and every step's undo.</summary>
/// <param name="Undone">The rows the undo deleted, newest first (outcome <c>deleted</c>).</param>
/// <param name="Compensations">
/// One entry per create step the run started, newest first: deleted, kept (and for whom), already gone, nothing to
/// undo, or not undone. Null in results recorded before the undo was asked by key.
/// </param>
public sealed record LeadFailureOutcome(long FailureId, IReadOnlyList<StepRecord> Undone, IReadOnlyList<StepCompensation>? Compensations = null);
