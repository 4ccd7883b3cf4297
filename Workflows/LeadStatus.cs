using LeadFlow.Leads;
using LeadFlow.Steps;

namespace LeadFlow.Workflows;

/// <summary>A lead's progress, as the workflow's status query answers it at any time.</summary>
/// <param name="CurrentStep">The step running now; once finished, the last step that ran.</param>
/// <param name="Records">The CRM rows so far, per step, with whether this run created them.</param>
/// <param name="Undone">The rows the error step deleted again (only rows this run created).</param>
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
}

/// <summary>Why a lead failed.</summary>
/// <param name="Type">The step's error type, one of <see cref="Steps.LeadErrorTypes"/>.</param>
/// <param name="FailureRecordId">The backend's lead failure row, once recorded.</param>
public sealed record LeadError(string FailedStep, string Type, string Message, IReadOnlyList<FieldError> FieldErrors, long? FailureRecordId = null);
