using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http;

namespace LeadFlow.TestSupport;

/// <summary>
/// Faults for the requests of one lead only (its Idempotency-Key is <c>&lt;lead id&gt;:&lt;run&gt;:&lt;step&gt;</c>), so a test can force the
/// order of overlapping leads: hold a request before the endpoint, hold the answer after the endpoint committed, delay
/// it, or refuse it. <see cref="Clear"/> removes them and releases whatever they hold.
/// </summary>
public sealed partial class FaultInjector
{
    private readonly Dictionary<(string Path, string LeadId), LeadFault> leadFaults = [];

    /// <summary>
    /// A fault for the requests to <paramref name="path"/> made for <paramref name="leadId"/> (any run), replacing an earlier
    /// one for the same path and lead; configure it with its methods before the requests come.
    /// </summary>
    public LeadFault ForLead(string path, string leadId)
    {
        var fault = new LeadFault(Normalize(path), leadId);
        lock (gate)
        {
            if (leadFaults.Remove((fault.Path, leadId), out var replaced))
            {
                replaced.Release();
            }

            leadFaults[(fault.Path, leadId)] = fault;
        }

        return fault;
    }

    /// <summary>Removes (and releases) every fault of <paramref name="leadId"/>, leaving the other leads' faults in place.</summary>
    public void ClearLead(string leadId)
    {
        lock (gate)
        {
            foreach (var key in leadFaults.Keys.Where(k => k.LeadId == leadId).ToList())
            {
                leadFaults.Remove(key, out var fault);
                fault!.Release();
            }
        }
    }

    private void ClearLeadFaults()
    {
        foreach (var fault in leadFaults.Values)
        {
            fault.Release();
        }

        leadFaults.Clear();
    }

    /// <summary>The middleware of <see cref="ForLead"/>'s faults; the backend host puts it after <see cref="InvokeAsync"/>.</summary>
    internal Task InvokeLeadFaultsAsync(HttpContext context, RequestDelegate next)
    {
        LeadFault? fault = null;
        if (LeadIdOf(context.Request.Headers["Idempotency-Key"].ToString()) is { } leadId)
        {
            var path = Normalize(context.Request.Path);
            lock (gate)
            {
                leadFaults.TryGetValue((path.ToLowerInvariant(), leadId), out fault);
            }
        }

        return fault is null ? next(context) : fault.HandleAsync(context, next);
    }

    /// <summary>The lead of a key <c>&lt;lead id&gt;:&lt;run&gt;:&lt;step&gt;</c> (read from the right: an event id may hold colons); null for other keys.</summary>
    private static string? LeadIdOf(string idempotencyKey)
    {
        var step = idempotencyKey.LastIndexOf(':');
        var run = step > 0 ? idempotencyKey.LastIndexOf(':', step - 1) : -1;
        return run > 0 ? idempotencyKey[..run] : null;
    }
}

/// <summary>One lead's fault on one path (see <see cref="FaultInjector.ForLead"/>). Configure it before the requests come.</summary>
public sealed class LeadFault
{
    private readonly TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int? statusCode;
    private int times = int.MaxValue;
    private TimeSpan delay;
    private HoldPoint hold;
    private int seen;

    internal LeadFault(string path, string leadId)
    {
        Path = path.ToLowerInvariant();
        LeadId = leadId;
    }

    private enum HoldPoint
    {
        None,
        Request,
        Answer,
    }

    public string Path { get; }

    public string LeadId { get; }

    /// <summary>Completes when the first matching request reaches the backend (before any hold).</summary>
    public Task Arrived => arrived.Task;

    /// <summary>Completes when the endpoint has answered (and committed) a matching request; never for a refused one.</summary>
    public Task Answered => answered.Task;

    /// <summary>How many matching requests arrived so far.</summary>
    public int Seen => Volatile.Read(ref seen);

    /// <summary>The first <paramref name="count"/> matching requests get <paramref name="status"/> (a problem detail) instead of the endpoint.</summary>
    public LeadFault Fail(int status, int count = int.MaxValue)
    {
        statusCode = status;
        times = count;
        return this;
    }

    /// <summary>Matching requests wait before the endpoint until <see cref="Release"/>: a slow network, or an order a test forces.</summary>
    public LeadFault HoldRequest()
    {
        hold = HoldPoint.Request;
        return this;
    }

    /// <summary>The endpoint runs (and commits) at once, its answer waits until <see cref="Release"/>: a slow backend whose work is done.</summary>
    public LeadFault HoldAnswer()
    {
        hold = HoldPoint.Answer;
        return this;
    }

    /// <summary>Matching requests wait this long before the endpoint.</summary>
    public LeadFault Delay(TimeSpan wait)
    {
        delay = wait;
        return this;
    }

    /// <summary>Lets held requests and answers go on (also for requests that arrive later).</summary>
    public void Release() => released.TrySetResult();

    internal async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        var number = Interlocked.Increment(ref seen);
        arrived.TrySetResult();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }

        if (hold == HoldPoint.Request)
        {
            await released.Task;
        }

        if (statusCode is { } status && number <= times)
        {
            var problem = CrmProblems.Details(status, "injected-fault", "Injected fault", [], $"A test made {context.Request.Path} answer {status} for {LeadId}.");
            await Microsoft.AspNetCore.Http.TypedResults.Problem(problem).ExecuteAsync(context);
            return;
        }

        if (hold != HoldPoint.Answer)
        {
            await next(context);
            answered.TrySetResult();
            return;
        }

        // Buffer the answer so nothing leaves before the release, although the endpoint has finished (and committed).
        var body = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
            answered.TrySetResult();
            await released.Task;
        }
        finally
        {
            context.Response.Body = body;
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(body, context.RequestAborted);
    }
}
