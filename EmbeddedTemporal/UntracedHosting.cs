using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace LeadFlow.EmbeddedTemporal;

/// <summary>
/// Keeps the embedded server's own HTTP hosts (gRPC frontend, Web UI) out of the process's ASP.NET Core tracing: the
/// local stack and the tests run the server inside a process whose product hosts are traced, and a real Temporal server
/// (which this one stands in for) is never part of the product's traces.
/// </summary>
/// <remarks>
/// ASP.NET Core's hosting layer takes its <see cref="ActivitySource"/> and <see cref="DiagnosticListener"/> from the
/// host's services (registered by default as <c>Microsoft.AspNetCore</c>, the names the OpenTelemetry ASP.NET Core
/// instrumentation listens to). Registering differently named ones, later so they win, leaves this host's requests
/// without listeners: no span, no diagnostic events, no per-request cost.
/// </remarks>
internal static class UntracedHosting
{
    /// <summary>
    /// The name of the embedded hosts' private activity source and diagnostic listener, which nothing subscribes to (outside
    /// <c>LeadFlow.*</c>, the product's sources, on purpose).
    /// </summary>
    public const string Name = "EmbeddedTemporal.Untraced.Hosting";

    public static IServiceCollection AddUntracedHosting(this IServiceCollection services)
    {
        services.AddSingleton(_ => new ActivitySource(Name));
        services.AddSingleton(_ => new DiagnosticListener(Name));
        services.AddSingleton<DiagnosticSource>(sp => sp.GetRequiredService<DiagnosticListener>());
        return services;
    }
}
