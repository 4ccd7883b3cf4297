using System.Text.Json;
using LeadFlow.Leads;
using LeadFlow.Steps;
using Temporalio.Exceptions;

namespace LeadFlow.Temporal;

/// <summary>
/// Reads the <see cref="StepFailure"/> back from a failed activity, as the workflow sees it. Pure and
/// deterministic, so the workflow may call it while replaying.
/// </summary>
public static class TemporalStepFailures
{
    /// <param name="step">The step that was running.</param>
    /// <param name="failure">
    /// What the workflow caught: an <see cref="ActivityFailureException"/> around the cause, or, for a local activity
    /// and for a step cancelled before it was scheduled, the cause itself. A cancellation
    /// (<see cref="CanceledFailureException"/>) is described as <see cref="LeadErrorTypes.LeadCancelled"/>.
    /// </param>
    public static StepFailure Describe(string step, Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var cause = failure is ActivityFailureException { InnerException: { } inner } ? inner : failure;
        if (cause is TimeoutFailureException timeout)
        {
            // The retry window ran out; the last attempt's error, if any, says why.
            var last = timeout.InnerException as ApplicationFailureException;
            return new StepFailure(
                step,
                last?.ErrorType ?? LeadErrorTypes.CrmUnavailable,
                $"{step} did not succeed within its retry window ({timeout.TimeoutType}){(last is null ? "" : $": {last.Message}")}",
                []);
        }

        if (cause is CanceledFailureException cancelled)
        {
            // The run was cancelled while this step ran (or before it was scheduled). Whether its request committed
            // is unknown here; the error step undoes it by key either way.
            return new StepFailure(step, LeadErrorTypes.LeadCancelled, $"The run was cancelled while {step} was running ({cancelled.Message})", []);
        }

        if (cause is ApplicationFailureException application)
        {
            return FromDetails(application) is { } described
                ? described with { Step = step }
                : new StepFailure(step, application.ErrorType ?? nameof(ApplicationFailureException), application.Message, FieldErrorsOf(application));
        }

        return new StepFailure(step, cause.GetType().Name, cause.Message, []);
    }

    private static StepFailure? FromDetails(ApplicationFailureException application)
    {
        if (application.Details.Count == 0)
        {
            return null;
        }

        try
        {
            return application.Details.ElementAt<StepFailure>(0);
        }
        catch (JsonException)
        {
            // A history written before the failure carried a StepFailure: its first detail is the field error list.
            return null;
        }
    }

    private static IReadOnlyList<FieldError> FieldErrorsOf(ApplicationFailureException application)
    {
        try
        {
            return application.Details.Count > 0 ? application.Details.ElementAt<IReadOnlyList<FieldError>>(0) : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
