using LeadFlow.Activities;
using LeadFlow.Activities.Steps;

namespace LeadFlow.StepFunctions;

/// <summary>
/// A step failure as a named Lambda error. The managed .NET runtime reports a thrown exception's
/// type name as the function error's <c>errorType</c>, and that name is what a state's Retry and
/// Catch match. So these classes are named exactly after <see cref="LeadErrorTypes"/>; renaming one
/// silently changes what the state machine retries.
/// </summary>
#pragma warning disable CA1710 // The type name is the Lambda error name: it cannot end in "Exception".
public abstract class StepLambdaError(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>The Lambda error name: this type's name, as the runtime reports it.</summary>
    public string ErrorType => GetType().Name;

    /// <summary>The named error for a step's typed failure; null for an error type the state machine does not know.</summary>
    public static StepLambdaError? From(LeadStepException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.ErrorType switch
        {
            LeadErrorTypes.LeadRejected => new LeadRejected(failure),
            LeadErrorTypes.CrmRejected => new CrmRejected(failure),
            LeadErrorTypes.CrmConflict => new CrmConflict(failure),
            LeadErrorTypes.CrmUnavailable => new CrmUnavailable(failure),
            _ => null,
        };
    }
}

/// <summary>The event or its lead is invalid. Not retried.</summary>
public sealed class LeadRejected(LeadStepException failure) : StepLambdaError(failure.Message, failure);

/// <summary>The CRM backend refused the request (4xx other than 409). Not retried.</summary>
public sealed class CrmRejected(LeadStepException failure) : StepLambdaError(failure.Message, failure);

/// <summary>The CRM backend answered 409. Not retried.</summary>
public sealed class CrmConflict(LeadStepException failure) : StepLambdaError(failure.Message, failure);

/// <summary>5xx, timeout or refused connection. Retried with backoff by the state machine.</summary>
public sealed class CrmUnavailable(LeadStepException failure) : StepLambdaError(failure.Message, failure);
#pragma warning restore CA1710
