namespace LeadFlow.Worker;

/// <summary>How much the worker does at once and how it stops (configuration section <c>Worker</c>).</summary>
public sealed class LeadWorkerOptions
{
    public const string Section = "Worker";

    /// <summary><c>Worker__MaxConcurrentActivities</c>: CRM calls in flight at once, i.e. the load this worker puts on the backend.</summary>
    public int MaxConcurrentActivities { get; set; } = 20;

    /// <summary><c>Worker__MaxConcurrentWorkflowTasks</c>.</summary>
    public int MaxConcurrentWorkflowTasks { get; set; } = 50;

    /// <summary><c>Worker__GracefulShutdownTimeout</c>: on stop, how long in-flight activities may finish before they are cancelled (and retried elsewhere).</summary>
    public TimeSpan GracefulShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary><c>Worker__MaxReconnectDelay</c>: the cap of the backoff between attempts to reach Temporal or the CRM backend.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Worker__HealthProbeInterval</c>: how often the worker asks Temporal (gRPC health check) and the CRM backend
    /// (a read with the API key) whether they answer, for its health endpoint and its log.
    /// </summary>
    public TimeSpan HealthProbeInterval { get; set; } = TimeSpan.FromSeconds(15);
}
