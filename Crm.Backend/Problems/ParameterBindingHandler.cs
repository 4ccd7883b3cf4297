using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace LeadFlow.Crm.Backend.Problems;

/// <summary>
/// A query or route value that does not parse as its parameter's type (<c>?limit=abc</c>, <c>?before=zzz</c>) would be a
/// bare 400 from minimal API binding. With <see cref="RouteHandlerOptions.ThrowOnBadRequest"/> on, binding throws instead,
/// and this answers the backend's validation problem naming the parameter and the rule (<c>integer</c>), never echoing
/// the value. Any other bad request answers its own status as a problem; every other exception is left to the next handler.
/// </summary>
public sealed partial class ParameterBindingHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        if (BindFailure().Match(exception.Message) is not { Success: true } failure)
        {
            // Any other bad request binding reports (a required parameter missing, a body too large): its own status, its
            // own words (they name the parameter, never a value), as a problem rather than the 500 an unhandled exception is.
            var other = CrmProblems.Details(badRequest.StatusCode, "bad-request", "The request is not valid", [new LeadFlow.Leads.FieldError("request", "http.badRequest", exception.Message)]);
            httpContext.Response.StatusCode = badRequest.StatusCode;
            await httpContext.Response.WriteAsJsonAsync(other, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", cancellationToken);
            return true;
        }

        // The type as binding names it: "int?", "Nullable<long>", "DateTimeOffset"...
        var type = failure.Groups["type"].Value;
        var (rule, message) = type switch
        {
            _ when type.Contains("DateTime", StringComparison.Ordinal) => ("dateTime", "must be an ISO 8601 date and time"),
            _ when type.Contains("Guid", StringComparison.Ordinal) => ("guid", "must be a GUID"),
            _ when type.Contains("bool", StringComparison.OrdinalIgnoreCase) => ("boolean", "must be true or false"),
            _ when type.Contains("int", StringComparison.OrdinalIgnoreCase) || type.Contains("long", StringComparison.OrdinalIgnoreCase) || type.Contains("short", StringComparison.OrdinalIgnoreCase)
                => ("integer", "must be a whole number"),
            _ => ("format", $"must be a {type}"),
        };
        var problem = CrmProblems.Details(StatusCodes.Status400BadRequest, "validation", "The request is not valid", [new LeadFlow.Leads.FieldError(failure.Groups["name"].Value, rule, message)]);
        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        await httpContext.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", cancellationToken);
        return true;
    }

    // Minimal API's binding failure: Failed to bind parameter "int? limit" from "abc".
    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>[A-Za-z_][A-Za-z0-9_]*)\" from \"")]
    private static partial Regex BindFailure();
}
