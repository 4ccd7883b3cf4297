using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LeadFlow.Crm.Backend.Problems;

/// <summary>
/// RFC 7807 answers. Every one names the broken rules in <c>errors</c> (field, rule, message) and says in
/// <c>detail</c> what to do. 4xx answers are the caller's fault and not worth retrying; 5xx are.
/// </summary>
public static class CrmProblems
{
    public static ProblemHttpResult Validation(IReadOnlyList<FieldError> errors) =>
        Create(StatusCodes.Status400BadRequest, "validation", "The request is not valid", errors);

    /// <summary>400: a query or path parameter (<paramref name="name"/>) that does not parse, e.g. <c>limit=abc</c>; the value is not echoed.</summary>
    public static ProblemHttpResult InvalidParameter(string name, string rule, string message) =>
        Create(StatusCodes.Status400BadRequest, "validation", "The request is not valid", [new FieldError(name, rule, message)]);

    public static ProblemHttpResult MalformedJson(string message) =>
        Create(StatusCodes.Status400BadRequest, "malformed-json", "The body is not valid JSON", [new FieldError("body", "json.syntax", message)]);

    /// <summary>400: a JSON string of <paramref name="field"/> (its dotted path, or <c>body</c>) holds a lone or reversed surrogate escape (rule <c>json.utf16</c>).</summary>
    public static ProblemHttpResult UndecodableText(string field) =>
        Create(StatusCodes.Status400BadRequest, "malformed-json", "The body is not valid JSON text", [new FieldError(field, "json.utf16", JsonTextCheck.Rule)]);

    public static ProblemHttpResult TooLarge(long maxBytes) =>
        Create(StatusCodes.Status413PayloadTooLarge, "too-large", "The body is too large", [new FieldError("body", "body.maxBytes", $"must be at most {maxBytes} bytes")]);

    public static ProblemHttpResult Conflict(string detail, params FieldError[] errors) =>
        Create(StatusCodes.Status409Conflict, "conflict", "The request conflicts with the stored data", errors, detail);

    /// <summary>
    /// 422: the key's first request meant something else. <paramref name="differingFields"/> names what differs (never
    /// the values, which may be personal data); empty when the first request predates stored meanings.
    /// </summary>
    public static ProblemHttpResult IdempotencyMismatch(IReadOnlyList<string> differingFields)
    {
        ArgumentNullException.ThrowIfNull(differingFields);
        FieldError[] errors =
        [
            new FieldError("Idempotency-Key", "idempotencyKey.mismatch", "was already used with a different method, path or body; use a new key for a new request"),
            .. differingFields.Select(f => new FieldError(f, "idempotencyKey.fieldDiffers", "differs from the first request under this Idempotency-Key")),
        ];
        var detail = differingFields.Count == 0
            ? null
            : $"The Idempotency-Key was already used for a request whose {string.Join(", ", differingFields)} differ(s) from this one; use a new key for a new request.";
        return Create(StatusCodes.Status422UnprocessableEntity, "idempotency-mismatch", "The Idempotency-Key was already used for a different request", errors, detail);
    }

    /// <summary>
    /// 409: the create under this key was compensated (undone, or declared never to happen by an undo that came
    /// first); it is not carried out now. A new attempt is a new lead run with new keys.
    /// </summary>
    public static ProblemHttpResult Compensated(string idempotencyKey, DateTimeOffset compensatedAt) =>
        Create(
            StatusCodes.Status409Conflict,
            "compensated",
            "The create under this Idempotency-Key was compensated",
            [new FieldError("Idempotency-Key", "idempotencyKey.compensated", $"was compensated at {compensatedAt.UtcDateTime:O}; nothing was written")],
            $"The create under Idempotency-Key '{idempotencyKey}' was compensated at {compensatedAt.UtcDateTime:O}, so it is not carried out now and nothing was written. A new attempt of the lead is a new run with new keys.");

    public static ProblemHttpResult NotFound(string what) =>
        Create(StatusCodes.Status404NotFound, "not-found", "Not found", [], $"{what} does not exist.");

    public static ProblemHttpResult Unauthorized() =>
        Create(StatusCodes.Status401Unauthorized, "unauthorized", "Missing or wrong API key", [new FieldError("x-api-key", "apiKey.valid", "the x-api-key header must carry the backend's API key")]);

    /// <summary>403: a valid key of the other scope (the write key reading, the read key writing).</summary>
    public static ProblemHttpResult WrongScope(Auth.ApiScope required) =>
        Create(
            StatusCodes.Status403Forbidden,
            "forbidden",
            "This API key may not do this",
            [new FieldError("x-api-key", "apiKey.scope", required == Auth.ApiScope.Read
                ? "this needs the read key (Crm__ReadApiKey); the write key cannot read rows"
                : "this needs the write key (Crm__ApiKey); the read key cannot change anything")]);

    public static ProblemHttpResult Unavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "unavailable", "Not ready", [], detail);

    public static ProblemDetails Details(int status, string slug, string title, IReadOnlyList<FieldError> errors, string? detail = null)
    {
        var problem = new ProblemDetails
        {
            Type = $"https://leadflow.dev/problems/{slug}",
            Title = title,
            Status = status,
            Detail = detail ?? string.Join("; ", errors.Select(e => e.ToString())),
        };
        problem.Extensions["errors"] = errors.Select(e => new ProblemFieldError(e.Field, e.Rule, e.Message)).ToList();
        return problem;
    }

    private static ProblemHttpResult Create(int status, string slug, string title, IReadOnlyList<FieldError> errors, string? detail = null) =>
        TypedResults.Problem(Details(status, slug, title, errors, detail));
}

/// <summary>One entry of a problem's <c>errors</c> list.</summary>
public sealed record ProblemFieldError(string Field, string Rule, string Message);
