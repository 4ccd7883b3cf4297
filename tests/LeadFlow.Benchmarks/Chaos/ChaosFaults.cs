using System.Globalization;

namespace LeadFlow.Benchmarks.Chaos;

/// <summary>What a fault does.</summary>
public enum ChaosFaultKind
{
    /// <summary>SIGKILL of a worker, started again after <see cref="ChaosFault.Duration"/>.</summary>
    KillWorker,

    /// <summary>SIGKILL of a CRM backend instance, started again after the duration.</summary>
    KillBackend,

    /// <summary><c>pg_ctl restart -m immediate</c>.</summary>
    RestartPostgres,

    /// <summary>SIGKILL of the SQS poller, started again after the duration.</summary>
    KillPoller,

    /// <summary>SIGSTOP of a backend instance, SIGCONT after the duration: its callers time out.</summary>
    PauseBackend,

    /// <summary>The embedded Temporal server's port stops answering for the duration (its state kept).</summary>
    TemporalOutage,
}

/// <summary>One fault of the schedule.</summary>
/// <param name="At">When it starts, from the first delivery.</param>
/// <param name="Target">Which instance (worker or backend index), 0 when there is one.</param>
/// <param name="Duration">How long until the part is back (restart delay, pause, outage); zero for the PostgreSQL restart, which takes what it takes.</param>
public sealed record ChaosFault(TimeSpan At, ChaosFaultKind Kind, int Target, TimeSpan Duration)
{
    /// <summary>One line of the printed schedule, e.g. <c>t+ 41.2s  KillWorker worker-2, back after 4.1s</c>.</summary>
    public override string ToString()
    {
        FormattableString line = Kind switch
        {
            ChaosFaultKind.KillWorker => $"t+{At.TotalSeconds,6:0.0}s  SIGKILL worker-{Target}, restarted after {Duration.TotalSeconds:0.0}s",
            ChaosFaultKind.KillBackend => $"t+{At.TotalSeconds,6:0.0}s  SIGKILL backend-{Target}, restarted after {Duration.TotalSeconds:0.0}s",
            ChaosFaultKind.RestartPostgres => $"t+{At.TotalSeconds,6:0.0}s  pg_ctl restart -m immediate",
            ChaosFaultKind.KillPoller => $"t+{At.TotalSeconds,6:0.0}s  SIGKILL sqs-poller, restarted after {Duration.TotalSeconds:0.0}s",
            ChaosFaultKind.PauseBackend => $"t+{At.TotalSeconds,6:0.0}s  SIGSTOP backend-{Target}, SIGCONT after {Duration.TotalSeconds:0.0}s",
            _ => $"t+{At.TotalSeconds,6:0.0}s  Temporal unreachable (proxy closed) for {Duration.TotalSeconds:0.0}s",
        };
        return line.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The schedule of a seed: each kind once (the worker and backend kills twice), at times spread over
    /// <paramref name="window"/> (not before 10 s, so every part is busy), the Temporal outage longer than
    /// <paramref name="redeliveryBudget"/> (the intake queue's maxReceiveCount times its visibility timeout).
    /// </summary>
    public static IReadOnlyList<ChaosFault> Schedule(int seed, TimeSpan window, TimeSpan redeliveryBudget, int workers, int backends)
    {
        var random = new Random(unchecked((seed * 7919) + 17));
        TimeSpan At() => TimeSpan.FromSeconds(10 + (random.NextDouble() * Math.Max(1, window.TotalSeconds - 10)));
        TimeSpan Seconds(double min, double max) => TimeSpan.FromSeconds(min + (random.NextDouble() * (max - min)));
        var killedBackend = random.Next(backends);
        var faults = new List<ChaosFault>
        {
            new(At(), ChaosFaultKind.KillWorker, random.Next(workers), Seconds(2, 6)),
            new(At(), ChaosFaultKind.KillWorker, random.Next(workers), Seconds(2, 6)),
            new(At(), ChaosFaultKind.KillBackend, killedBackend, Seconds(2, 5)),
            new(At(), ChaosFaultKind.KillBackend, random.Next(backends), Seconds(2, 5)),
            new(At(), ChaosFaultKind.RestartPostgres, 0, TimeSpan.Zero),
            new(At(), ChaosFaultKind.KillPoller, 0, Seconds(2, 5)),
            new(At(), ChaosFaultKind.PauseBackend, (killedBackend + 1) % backends, Seconds(8, 20)),
            // Starts early enough that the leads sent after it meet it, and outlasts the queue's redelivery budget.
            new(TimeSpan.FromSeconds(10 + (random.NextDouble() * Math.Max(1, (window.TotalSeconds / 2) - 10))), ChaosFaultKind.TemporalOutage, 0,
                redeliveryBudget + Seconds(15, 45)),
        };
        return faults.OrderBy(f => f.At).ToList();
    }
}
