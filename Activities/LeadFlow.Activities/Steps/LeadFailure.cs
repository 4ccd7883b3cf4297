using LeadFlow.Leads;

namespace LeadFlow.Activities.Steps;

/// <summary>The compensating error step's input: what failed, why, and what this run had created so far.</summary>
/// <param name="LeadId">The lead's durable id (the workflow id).</param>
/// <param name="FailedStep">One of <see cref="LeadOnboardingSteps"/>.</param>
/// <param name="ErrorType">One of <see cref="LeadErrorTypes"/>.</param>
/// <param name="CreatedRecords">In the order they were created; undone in reverse, and only those with Created = true.</param>
/// <param name="PayloadReference">Where the original event can be found (e.g. the workflow run).</param>
public sealed record LeadFailure(
    string LeadId,
    string FailedStep,
    string Reason,
    string ErrorType,
    IReadOnlyList<FieldError> FieldErrors,
    IReadOnlyList<StepRecord> CreatedRecords,
    string? PayloadReference);

/// <summary>What the error step did: the failure record's id and the rows it deleted, in the order deleted.</summary>
public sealed record LeadFailureOutcome(long FailureId, IReadOnlyList<StepRecord> Undone);
