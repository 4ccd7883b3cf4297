using LeadFlow.Steps;

namespace LeadFlow.StepFunctions;

/// <summary>
/// A step failure as a named Lambda error. The managed .NET runtime reports a thrown exception's
/// type name as the function error's <c>errorType</c>, and that name is what a state's Retry and
/// Catch match. So these classes are named exactly after <see cref="LeadErrorTypes"/>; renaming one
/// silently changes what the state machine retries. The message (the function error's
/// <c>errorMessage</c>) is the <see cref="StepFailure"/> as JSON, which the error step reads back.
/// </summary>
#pragma warning disable CA1710 // The type name is the Lambda error name: it cannot end in "Exception".
public abstract class StepLambdaError(StepFailure failure, Exception inner) : Exception(StepFailureJson.Write(failure), inner)
{
    /// <summary>The Lambda error name: this type's name, as the runtime reports it.</summary>
    public string ErrorType => GetType().Name;

    /// <summary>The failure this error carries (also its message, as JSON).</summary>
    public StepFailure Failure { get; } = failure;

    /// <summary>The named error for a step's typed failure; null for an error type the state machine does not know.</summary>
    public static StepLambdaError? From(string step, LeadStepException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var described = StepFailure.From(step, failure);
        return failure.ErrorType switch
        {
            LeadErrorTypes.LeadRejected => new LeadRejected(described, failure),
            LeadErrorTypes.CrmRejected => new CrmRejected(described, failure),
            LeadErrorTypes.CrmConflict => new CrmConflict(described, failure),
            LeadErrorTypes.CrmUnavailable => new CrmUnavailable(described, failure),
            LeadErrorTypes.CrmUnauthorized => new CrmUnauthorized(described, failure),
            LeadErrorTypes.CrmThrottled => new CrmThrottled(described, failure),
            _ => null,
        };
    }
}

/// <summary>The event or its lead is invalid. Not retried.</summary>
public sealed class LeadRejected(StepFailure failure, Exception inner) : StepLambdaError(failure, inner);

/// <summary>The CRM backend refused the request (4xx other than 409). Not retried.</summary>
public sealed class CrmRejected(StepFailure failure, Exception inner) : StepLambdaError(failure, inner);

/// <summary>The CRM backend answered 409. Not retried.</summary>
public sealed class CrmConflict(StepFailure failure, Exception inner) : StepLambdaError(failure, inner);

/// <summary>5xx, timeout or refused connection. Retried with backoff by the state machine.</summary>
public sealed class CrmUnavailable(StepFailure failure, Exception inner) : StepLambdaError(failure, inner);

/// <summary>The CRM refuses our credentials (401/403). Retried every 5 minutes by the state machine while an operator fixes the key.</summary>
public sealed class CrmUnauthorized(StepFailure failure, Exception inner) : StepLambdaError(failure, inner);

/// <summary>
/// The CRM asked to slow down (429, or 503 with <c>Retry-After</c>). Retried by its own Retry, from a floor of
/// <see cref="StepRetryPolicy.ThrottledInitialInterval"/>: a Retry cannot read the answer's <c>Retry-After</c>.
/// </summary>
public sealed class CrmThrottled(StepFailure failure, Exception inner) : StepLambdaError(failure, inner);
#pragma warning restore CA1710
