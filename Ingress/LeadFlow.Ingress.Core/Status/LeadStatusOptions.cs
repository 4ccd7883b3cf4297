namespace LeadFlow.Ingress.Status;

/// <summary>How a lead's status is read (configuration section <c>LeadStatus</c>), see <see cref="LeadStatusReader"/>.</summary>
public sealed class LeadStatusOptions
{
    public const string Section = "LeadStatus";

    /// <summary>
    /// <c>LeadStatus__QueryTimeout</c>: how long the workflow's status query may take when a worker polls the lead's task
    /// queue; past it the status comes from the run's history alone. Default 3 s (a worker answers in milliseconds).
    /// </summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>LeadStatus__WorkerSeenWithin</c>: a worker counts as polling when Temporal saw it poll the workflow task queue this
    /// recently (DescribeTaskQueue's last access time). Default 2 minutes: a live worker always has a long poll (up to
    /// 1 minute) in flight, and the server refreshes the time at most once a minute; the server forgets a poller after 5.
    /// </summary>
    public TimeSpan WorkerSeenWithin { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>What is wrong with these settings, one sentence per problem naming the variable; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (QueryTimeout <= TimeSpan.Zero || QueryTimeout > TimeSpan.FromMinutes(1))
        {
            problems.Add("LeadStatus__QueryTimeout must be more than 0 and at most 00:01:00 (default 00:00:03)");
        }

        if (WorkerSeenWithin <= TimeSpan.Zero || WorkerSeenWithin > TimeSpan.FromMinutes(5))
        {
            problems.Add("LeadStatus__WorkerSeenWithin must be more than 0 and at most 00:05:00, the server's poller memory (default 00:02:00)");
        }

        return problems;
    }
}
