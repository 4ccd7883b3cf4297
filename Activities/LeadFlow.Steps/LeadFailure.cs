using LeadFlow.Leads;

namespace LeadFlow.Steps;

/// <summary>The compensating error step's input: what failed, why, and what this run had created so far.</summary>
/// <param name="LeadId">The lead's durable id (the workflow id).</param>
/// <param name="FailedStep">One of <see cref="LeadOnboardingSteps"/>.</param>
/// <param name="ErrorType">One of <see cref="LeadErrorTypes"/>.</param>
/// <param name="CreatedRecords">In the order they were created; undone in reverse, and only those with Created = true.</param>
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

/// <summary>What the error step did: the failure record's id and the rows it deleted, in the order deleted.</summary>
public sealed record LeadFailureOutcome(long FailureId, IReadOnlyList<StepRecord> Undone);
