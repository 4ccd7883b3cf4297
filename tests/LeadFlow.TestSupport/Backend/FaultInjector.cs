using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http;

namespace LeadFlow.TestSupport;

/// <summary>
/// Makes the backend answer chosen paths with an error (a problem detail) before the request reaches
/// authentication or the endpoints: an outage, a flaky gateway. Thread-safe; paths compare case-insensitively.
/// </summary>
public sealed partial class FaultInjector
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (int Remaining, int StatusCode, string? RetryAfter)> faults = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> injected = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<DateTime>> injectedAt = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The next <paramref name="times"/> requests to <paramref name="path"/> fail with <paramref name="statusCode"/>.</summary>
    /// <param name="retryAfter">A <c>Retry-After</c> header value to send along (delay-seconds or an HTTP-date, RFC 9110 section 10.2.3); null sends none.</param>
    public void FailNext(string path, int times, int statusCode = StatusCodes.Status503ServiceUnavailable, string? retryAfter = null)
    {
        lock (gate)
        {
            faults[Normalize(path)] = (times, statusCode, retryAfter);
        }
    }

    /// <summary>Every request to <paramref name="path"/> fails with <paramref name="statusCode"/> until <see cref="Clear"/>.</summary>
    public void FailAlways(string path, int statusCode) => FailNext(path, int.MaxValue, statusCode);

    public void Clear()
    {
        lock (gate)
        {
            faults.Clear();
            ClearLeadFaults();
        }
    }

    /// <summary>How many answers were injected on <paramref name="path"/> so far.</summary>
    public int InjectedCount(string path)
    {
        lock (gate)
        {
            return injected.GetValueOrDefault(Normalize(path));
        }
    }

    /// <summary>When each injected answer on <paramref name="path"/> was sent (UTC), oldest first.</summary>
    public IReadOnlyList<DateTime> InjectedAt(string path)
    {
        lock (gate)
        {
            return [.. injectedAt.GetValueOrDefault(Normalize(path)) ?? []];
        }
    }

    internal bool TryTake(string path, out int statusCode, out string? retryAfter)
    {
        var key = Normalize(path);
        lock (gate)
        {
            (statusCode, retryAfter) = (0, null);
            if (!faults.TryGetValue(key, out var fault) || fault.Remaining <= 0)
            {
                return false;
            }

            faults[key] = fault with { Remaining = fault.Remaining == int.MaxValue ? int.MaxValue : fault.Remaining - 1 };
            injected[key] = injected.GetValueOrDefault(key) + 1;
            (injectedAt.TryGetValue(key, out var times) ? times : injectedAt[key] = []).Add(DateTime.UtcNow);
            (statusCode, retryAfter) = (fault.StatusCode, fault.RetryAfter);
            return true;
        }
    }

    internal async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!TryTake(context.Request.Path, out var statusCode, out var retryAfter))
        {
            await next(context);
            return;
        }

        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        var problem = CrmProblems.Details(statusCode, "injected-fault", "Injected fault", [], $"A test made {context.Request.Path} answer {statusCode}.");
        await Microsoft.AspNetCore.Http.TypedResults.Problem(problem).ExecuteAsync(context);
    }

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
