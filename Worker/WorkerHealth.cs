using LeadFlow.Hosting;

namespace LeadFlow.Worker;

/// <summary>
/// What the worker's health endpoint reports (<c>Health__Url</c>, <c>GET /health/ready</c>): whether its Temporal poller
/// runs against a server that answers, and whether the CRM backend answers and accepts the API key. Both start
/// unhealthy and are set by <see cref="LeadOnboardingWorkerService"/>'s loops; a worker stuck reconnecting reports unhealthy.
/// </summary>
public sealed class WorkerHealth
{
    /// <summary><c>temporal</c>: connected and polling the task queue, and the server answers its gRPC health check.</summary>
    public ComponentHealth Temporal { get; } = new("temporal", "connecting to Temporal");

    /// <summary><c>crm</c>: the backend answers and accepts <c>Crm__ApiKey</c>.</summary>
    public ComponentHealth Crm { get; } = new("crm", "checking the CRM backend");
}
