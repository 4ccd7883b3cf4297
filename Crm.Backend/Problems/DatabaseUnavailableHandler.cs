using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace LeadFlow.Crm.Backend.Problems;

/// <summary>
/// A database that is down, restarting or out of connections is the backend's temporary trouble, not a
/// bug: it answers 503 with Retry-After, which callers (the workflow's activities, the Step Functions
/// Lambdas) retry, instead of a 500 that says "something is broken".
/// </summary>
public sealed partial class DatabaseUnavailableHandler(ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!IsTransient(exception))
        {
            return false;
        }

        LogUnavailable(exception.GetType().Name, (exception as PostgresException)?.SqlState ?? "", exception.Message);
        var problem = CrmProblems.Details(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "The CRM database is temporarily unavailable", [], "Retry later; nothing was written by this request.");
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "1";
        await httpContext.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", cancellationToken);
        return true;
    }

    /// <summary>Npgsql's own verdict, plus "too many clients" (53300), which it does not count as transient.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown } => true,
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable, answered 503: {ExceptionType} {SqlState} {Reason}")]
    private partial void LogUnavailable(string exceptionType, string sqlState, string reason);
}
