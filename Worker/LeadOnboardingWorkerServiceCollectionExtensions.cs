using System.Globalization;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class LeadOnboardingWorkerServiceCollectionExtensions
{
    /// <summary>
    /// Everything the on-prem worker runs: the lead workflow, its activities and the CRM client, on a hosted
    /// Temporal worker that connects with retries. Settings (validated at start-up): <c>Temporal__*</c>,
    /// <c>Worker__*</c>, <c>Crm__*</c>, <c>LeadEvents__*</c>, <c>Health__Url</c>, <c>OTEL_*</c>. Used by Program.cs, the tests and the benchmark alike.
    /// </summary>
    public static IServiceCollection AddLeadOnboardingWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLeadFlowTemporal(configuration);
        services.AddOptions<LeadWorkerOptions>()
            .Bind(configuration.GetSection(LeadWorkerOptions.Section))
            .Validate(o => o.MaxConcurrentActivities is >= 1 and <= 1000, "Worker__MaxConcurrentActivities must be between 1 and 1000 (default 20)")
            .Validate(o => o.MaxConcurrentWorkflowTasks is >= 2 and <= 1000, "Worker__MaxConcurrentWorkflowTasks must be between 2 and 1000 (default 50)")
            .Validate(o => o.GracefulShutdownTimeout >= TimeSpan.Zero && o.GracefulShutdownTimeout <= TimeSpan.FromMinutes(10), "Worker__GracefulShutdownTimeout must be between 00:00:00 and 00:10:00 (default 00:00:20)")
            .Validate(o => o.MaxReconnectDelay >= TimeSpan.FromMilliseconds(10) && o.MaxReconnectDelay <= TimeSpan.FromMinutes(10), "Worker__MaxReconnectDelay must be between 00:00:00.010 and 00:10:00 (default 00:00:30)")
            .Validate(o => o.HealthProbeInterval >= TimeSpan.FromMilliseconds(100) && o.HealthProbeInterval <= TimeSpan.FromMinutes(10), "Worker__HealthProbeInterval must be between 00:00:00.100 and 00:10:00 (default 00:00:15)")
            .ValidateOnStart();

        // The host must wait for the worker's own graceful shutdown, or in-flight activities are cut short.
        // Read raw here: an invalid value is reported by the validation above at start-up, not while building the host.
        var graceful = TimeSpan.TryParse(configuration[$"{LeadWorkerOptions.Section}:{nameof(LeadWorkerOptions.GracefulShutdownTimeout)}"], CultureInfo.InvariantCulture, out var configured)
            ? configured
            : new LeadWorkerOptions().GracefulShutdownTimeout;
        services.Configure<HostOptions>(host => host.ShutdownTimeout = graceful.Duration() + TimeSpan.FromSeconds(10));

        services.AddLeadOnboardingActivities(configuration);

        // Health__Url (none by default): GET /health/ready says whether the Temporal poller and the CRM backend work.
        var health = new WorkerHealth();
        services.AddSingleton(health);
        services.AddLeadFlowHealth(configuration, health.Temporal, health.Crm);

        // OTEL_EXPORTER_OTLP_ENDPOINT (none by default): traces, metrics and logs over OTLP; before the service, so its first spans are kept.
        services.AddLeadFlowTelemetry(configuration, "leadflow-worker");
        services.AddHostedService<LeadOnboardingWorkerService>();
        return services;
    }
}
