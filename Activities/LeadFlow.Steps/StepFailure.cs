using LeadFlow.Leads;

namespace LeadFlow.Steps;

/// <summary>
/// Why a step failed, described once for both hosts: the Temporal activity adapter sends it as the
/// <c>ApplicationFailure</c>'s first detail, the step Lambdas as their error message (JSON), and both error
/// steps read it back instead of guessing the step or validating the lead again.
/// </summary>
/// <param name="Step">One of <see cref="LeadOnboardingSteps"/>.</param>
/// <param name="ErrorType">One of <see cref="LeadErrorTypes"/>, or the host's own error name (e.g. <c>States.Timeout</c>).</param>
/// <param name="Reason">What went wrong, phrased for a person; never a RUT, phone or mail in full.</param>
/// <param name="FieldErrors">The broken rules of an invalid lead, or the backend's field errors of a 4xx answer.</param>
public sealed record StepFailure(string Step, string ErrorType, string Reason, IReadOnlyList<FieldError> FieldErrors)
{
    /// <summary>A step's typed failure, as the step raised it.</summary>
    public static StepFailure From(string step, LeadStepException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new StepFailure(step, failure.ErrorType, failure.Message, failure.FieldErrors);
    }

    /// <summary>
    /// The one-line account of a failed lead both hosts end with: the Temporal run's failure message and the
    /// Step Functions Fail state's cause, e.g. <c>Lead lead-1 rejected at ReceiveLead (LeadRejected): ...</c>
    /// (also <c>failed</c>, and <c>cancelled</c> for a cancelled run).
    /// </summary>
    public string Summary(string leadId) =>
        $"Lead {leadId} {ErrorType switch { LeadErrorTypes.LeadRejected => "rejected", LeadErrorTypes.LeadCancelled => "cancelled", _ => "failed" }} at {Step} ({ErrorType}): {Reason}";
}
