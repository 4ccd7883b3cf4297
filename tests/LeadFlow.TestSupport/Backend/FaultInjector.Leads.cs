using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http;

namespace LeadFlow.TestSupport;

/// <summary>
/// Faults for the requests of one lead only (its Idempotency-Key starts with <c>&lt;lead id&gt;:</c>), so a test can force the
/// order of overlapping leads: hold a request before the endpoint, hold the answer after the endpoint committed, delay
/// it, or refuse it. <see cref="Clear"/> removes them and releases whatever they hold.
/// </summary>
public sealed partial class FaultInjector
{
    private readonly List<LeadFault> leadFaults = [];

    /// <summary>A fault for the requests to <paramref name="path"/> made for <paramref name="leadId"/> (any run); configure it with its methods.</summary>
    public LeadFault ForLead(string path, string leadId)
    {
        var fault = new LeadFault(Normalize(path), leadId);
        lock (gate)
        {
            leadFaults.Add(fault);
        }

        return fault;
    }

    private void ClearLeadFaults()
    {
        foreach (var fault in leadFaults)
        {
            fault.Release();
        }

        leadFaults.Clear();
    }

    /// <summary>The middleware of <see cref="ForLead"/>'s faults; the backend host puts it after <see cref="InvokeAsync"/>.</summary>
    internal Task InvokeLeadFaultsAsync(HttpContext context, RequestDelegate next)
    {
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        LeadFault? fault = null;
        if (key.Length > 0)
        {
            var path = Normalize(context.Request.Path);
            lock (gate)
            {
                fault = leadFaults.LastOrDefault(f => f.Matches(path, key));
            }
        }

        return fault is null ? next(context) : fault.HandleAsync(context, next);
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
        Path = path;
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

    internal bool Matches(string path, string idempotencyKey) =>
        string.Equals(path, Path, StringComparison.OrdinalIgnoreCase) && idempotencyKey.StartsWith(LeadId + ":", StringComparison.Ordinal);

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
