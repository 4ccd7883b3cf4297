using LeadFlow.Hosting.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LeadFlow.Hosting.Web;

/// <summary>The shared telemetry set-up (<see cref="LeadFlowTelemetry"/>) with ASP.NET Core's server spans and metrics.</summary>
public static class WebTelemetry
{
    /// <summary>
    /// <see cref="LeadFlowTelemetry.AddLeadFlowTelemetry"/> plus ASP.NET Core: a server span per request (health probes
    /// left out) and the <c>http.server.*</c> metrics. Off, as the rest, without <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.
    /// </summary>
    public static IServiceCollection AddLeadFlowWebTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName) =>
        services.AddLeadFlowTelemetry(configuration, serviceName, LeadFlowTelemetry.IsEnabled(configuration) ? builder => AddAspNetCore(builder) : null);

    /// <summary>Adds the ASP.NET Core instrumentation to a set-up (the CLI's process-wide one uses it too).</summary>
    public static IOpenTelemetryBuilder AddAspNetCore(IOpenTelemetryBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation(options => options.Filter = IsTraced))
            .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation());
    }

    /// <summary>Every request but the health probes, which would fill the trace list every few seconds.</summary>
    private static bool IsTraced(HttpContext context) => !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
