using LeadFlow.Leads;

namespace LeadFlow.Steps;

/// <summary>
/// A step failed. Host-agnostic: the Temporal activity wrappers and the Lambda handlers turn it
/// into their own failure, keeping <see cref="ErrorType"/>, retryability and the field errors.
/// </summary>
public abstract class LeadStepException : Exception
{
    protected LeadStepException(string message, string errorType, bool retryable, IReadOnlyList<FieldError>? fieldErrors, Exception? inner)
        : base(message, inner)
    {
        ErrorType = errorType;
        Retryable = retryable;
        FieldErrors = fieldErrors ?? [];
    }

    /// <summary>One of <see cref="LeadErrorTypes"/>.</summary>
    public string ErrorType { get; }

    public bool Retryable { get; }

    public IReadOnlyList<FieldError> FieldErrors { get; }
}

/// <summary>The event or its lead is invalid. A person has to fix it; retrying cannot help.</summary>
public sealed class LeadRejectedException(string reason, IReadOnlyList<FieldError> fieldErrors)
    : LeadStepException(Describe(reason, fieldErrors), LeadErrorTypes.LeadRejected, retryable: false, fieldErrors, inner: null)
{
    private static string Describe(string reason, IReadOnlyList<FieldError> errors) =>
        errors.Count == 0 ? reason : $"{reason}: {string.Join("; ", errors)}";
}

/// <summary>The CRM backend answered 4xx: the request is wrong and sending it again gives the same answer.</summary>
public sealed class CrmPermanentException(string message, int statusCode, IReadOnlyList<FieldError>? fieldErrors = null)
    : LeadStepException(message, statusCode == 409 ? LeadErrorTypes.CrmConflict : LeadErrorTypes.CrmRejected, retryable: false, fieldErrors, inner: null)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// The CRM backend answered 5xx, timed out or could not be reached (<see cref="LeadErrorTypes.CrmUnavailable"/>), or
/// asked to slow down (<see cref="LeadErrorTypes.CrmThrottled"/>: 429, or 503 with <c>Retry-After</c>). Worth retrying later.
/// </summary>
/// <param name="retryAfter">
/// How long the backend asked to wait before the next attempt (its <c>Retry-After</c>, RFC 9110 section 10.2.3); null
/// when it did not say. Setting it makes the error <see cref="LeadErrorTypes.CrmThrottled"/>, as does a 429.
/// </param>
public sealed class CrmTransientException(string message, int? statusCode = null, Exception? inner = null, TimeSpan? retryAfter = null)
    : LeadStepException(message, ErrorTypeOf(statusCode, retryAfter), retryable: true, fieldErrors: null, inner)
{
    /// <summary>The HTTP status when the backend answered; null for timeouts and refused connections.</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>The backend's <c>Retry-After</c> as a delay from when the answer arrived (never negative); null when it gave none.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    private static string ErrorTypeOf(int? statusCode, TimeSpan? retryAfter) =>
        statusCode == 429 || retryAfter is not null ? LeadErrorTypes.CrmThrottled : LeadErrorTypes.CrmUnavailable;
}

/// <summary>
/// The CRM backend refuses our credentials (401: missing or wrong key; 403: a key of the wrong scope, e.g. the read key
/// configured where the write key belongs). Not the lead's fault and not an outage: an operator fixes the key, and the
/// lead waits for it (<see cref="LeadErrorTypes.CrmUnauthorized"/>, retried every <see cref="LeadOnboardingSteps.CredentialsRetryInterval"/>).
/// </summary>
public sealed class CrmUnauthorizedException(string message, int statusCode)
    : LeadStepException(message, LeadErrorTypes.CrmUnauthorized, retryable: true, fieldErrors: null, inner: null)
{
    /// <summary>What a person reads first, in the lead's status and in the alert.</summary>
    public const string Headline = "CRM refuses our credentials";

    /// <summary>401 or 403.</summary>
    public int StatusCode { get; } = statusCode;
}
