using LeadFlow.Leads;
using LeadFlow.Steps;

namespace LeadFlow.Workflows;

/// <summary>A lead's progress, as the workflow's status query answers it at any time.</summary>
/// <param name="CurrentStep">The step running now; once finished, the last step that ran.</param>
/// <param name="Records">The CRM rows so far, per step, with whether this run created them and which fields differ from the stored row (kept for review).</param>
/// <param name="Undone">The rows the error step deleted again; <see cref="LeadError.Compensations"/> has every step's undo, kept rows included.</param>
/// <param name="Error">Why the lead failed; null while it is fine.</param>
public sealed record LeadStatus(
    string LeadId,
    string CurrentStep,
    LeadOutcome Outcome,
    IReadOnlyList<StepRecord> Records,
    IReadOnlyList<StepRecord> Undone,
    LeadError? Error);

public enum LeadOutcome
{
    Running,
    Completed,

    /// <summary>The lead is invalid (<c>LeadRejected</c>): a person has to fix and resend it.</summary>
    Rejected,

    /// <summary>A step failed for good (<c>LeadOnboardingFailed</c>); what this run created was undone.</summary>
    Failed,

    /// <summary>
    /// The run was cancelled (<c>LeadCancelled</c>): compensated like a failure, the step that was running included,
    /// and the failure recorded. Temporal shows the run as Canceled.
    /// </summary>
    Cancelled,
}

/// <summary>Why a lead failed, and what the error step undid.</summary>
/// <param name="FailedStep">The step that failed, or that was running when the run was cancelled or timed out.</param>
/// <param name="Type">The step's error type, one of <see cref="Steps.LeadErrorTypes"/>.</param>
/// <param name="FailureRecordId">The backend's lead failure row, once recorded.</param>
/// <param name="Compensations">
/// Every create step's undo, newest first, once the error step ran: deleted, kept (and for which lead runs), already
/// gone, nothing to undo, or not undone. Null before, and for runs recorded before the undo was asked by key.
/// </param>
public sealed record LeadError(
    string FailedStep,
    string Type,
    string Message,
    IReadOnlyList<FieldError> FieldErrors,
    long? FailureRecordId = null,
    IReadOnlyList<StepCompensation>? Compensations = null);
