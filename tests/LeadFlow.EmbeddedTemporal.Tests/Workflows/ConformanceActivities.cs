using System.Collections.Concurrent;
using Temporalio.Activities;
using Temporalio.Exceptions;

namespace LeadFlow.EmbeddedTemporal.Tests.Workflows;

/// <summary>Activities whose behaviour a test scripts (fail N times, hang, heartbeat) and whose calls it can inspect.</summary>
public sealed class ConformanceActivities
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Attempt, DateTime At)>> _calls = new(StringComparer.Ordinal);

    public IReadOnlyList<(int Attempt, DateTime At)> CallsOf(string key) =>
        _calls.TryGetValue(key, out var calls) ? calls.ToList() : [];

    [Activity]
    public string Echo(string value) => value;

    /// <summary>Fails with the given error type until the attempt reaches succeedOnAttempt.</summary>
    [Activity]
    public string FailUntil(string key, int succeedOnAttempt, string errorType)
    {
        var attempt = ActivityExecutionContext.Current.Info.Attempt;
        _calls.GetOrAdd(key, _ => new()).Enqueue((attempt, DateTime.UtcNow));
        if (attempt < succeedOnAttempt)
        {
            throw new ApplicationFailureException($"attempt {attempt} fails", errorType);
        }

        return $"succeeded on attempt {attempt}";
    }

    /// <summary>Fails until the attempt reaches succeedOnAttempt, each failure asking for its own next retry delay (the SDK's nextRetryDelay).</summary>
    [Activity]
    public string FailWithRetryDelay(string key, int succeedOnAttempt, int nextRetryDelayMs)
    {
        var attempt = ActivityExecutionContext.Current.Info.Attempt;
        _calls.GetOrAdd(key, _ => new()).Enqueue((attempt, DateTime.UtcNow));
        if (attempt < succeedOnAttempt)
        {
            throw new ApplicationFailureException($"attempt {attempt} asks to wait {nextRetryDelayMs} ms", "Throttled", nextRetryDelay: TimeSpan.FromMilliseconds(nextRetryDelayMs));
        }

        return $"succeeded on attempt {attempt}";
    }

    /// <summary>Hangs (without heartbeating) on the first attempts, so start-to-close or heartbeat timeouts fire.</summary>
    [Activity]
    public async Task<string> HangUntil(string key, int succeedOnAttempt)
    {
        var context = ActivityExecutionContext.Current;
        _calls.GetOrAdd(key, _ => new()).Enqueue((context.Info.Attempt, DateTime.UtcNow));
        if (context.Info.Attempt < succeedOnAttempt)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
        }

        return $"succeeded on attempt {context.Info.Attempt}";
    }

    /// <summary>Heartbeats until cancelled or until the duration passes.</summary>
    [Activity]
    public async Task<string> HeartbeatFor(TimeSpan duration)
    {
        var context = ActivityExecutionContext.Current;
        var until = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < until)
        {
            context.Heartbeat();
            await Task.Delay(50, context.CancellationToken);
        }

        return "done";
    }

    [Activity]
    public Task NoOp() => Task.CompletedTask;
}
