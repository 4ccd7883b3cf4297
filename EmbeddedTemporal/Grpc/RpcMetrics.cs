using System.Collections.Concurrent;
using System.Diagnostics;

namespace LeadFlow.EmbeddedTemporal.Grpc;

/// <summary>Calls and time spent per gRPC method, so a benchmark can show whether the server is the bottleneck.</summary>
public sealed class RpcMetrics
{
    private readonly ConcurrentDictionary<string, MethodCounters> _methods = new(StringComparer.Ordinal);

    /// <summary>Per method: calls, total handler time and the part of it spent waiting in long polls.</summary>
    public IReadOnlyList<RpcMethodStats> Snapshot() =>
        _methods.Select(pair => new RpcMethodStats(
                pair.Key,
                Interlocked.Read(ref pair.Value.Calls),
                TimeSpan.FromTicks(Stopwatch.GetElapsedTime(0, Interlocked.Read(ref pair.Value.ElapsedTimestamp)).Ticks),
                TimeSpan.FromTicks(Stopwatch.GetElapsedTime(0, Interlocked.Read(ref pair.Value.WaitingTimestamp)).Ticks)))
            .OrderByDescending(stats => stats.Busy)
            .ToList();

    public void Reset() => _methods.Clear();

    internal void Record(string method, long elapsedTimestamp, long waitingTimestamp)
    {
        var counters = _methods.GetOrAdd(method, _ => new MethodCounters());
        Interlocked.Increment(ref counters.Calls);
        Interlocked.Add(ref counters.ElapsedTimestamp, elapsedTimestamp);
        Interlocked.Add(ref counters.WaitingTimestamp, waitingTimestamp);
    }

    private sealed class MethodCounters
    {
        public long Calls;
        public long ElapsedTimestamp;
        public long WaitingTimestamp;
    }
}

/// <summary>One row of <see cref="RpcMetrics.Snapshot"/>. <see cref="Busy"/> excludes time parked in a long poll.</summary>
public sealed record RpcMethodStats(string Method, long Calls, TimeSpan Total, TimeSpan Waiting)
{
    public TimeSpan Busy => Total - Waiting;
}

/// <summary>Lets a long-poll handler tell the metrics how long it only waited (stored in ServerCallContext.UserState).</summary>
internal sealed class RpcCallTiming
{
    public static readonly object Key = new();

    public long WaitingTimestamp { get; private set; }

    public static RpcCallTiming? Of(global::Grpc.Core.ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var timing) ? timing as RpcCallTiming : null;

    public void AddWaiting(long startTimestamp) => WaitingTimestamp += Stopwatch.GetTimestamp() - startTimestamp;
}
