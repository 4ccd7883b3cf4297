using LeadFlow.Crm.Backend.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeadFlow.Crm.Backend.LocalDatabase;

/// <summary>
/// Local mode, an explicit opt-in (<c>Crm__LocalMode=true</c>; the <c>leadflow</c> CLI sets it): with no
/// <c>ConnectionStrings__Crm</c>, the backend starts its own PostgreSQL cluster from the machine's binaries (data kept
/// under <c>Crm__LocalDataDirectory</c>) and stops it on shutdown, and the documented local keys stand in for unset ones.
/// Without the opt-in a missing connection string stops start-up: a secret that failed to mount must never mean leads
/// written to a throw-away database.
/// </summary>
public static class LocalModeSetup
{
    public const string DatabaseName = "crm";

    /// <summary>Returns the connection string to use: the configured one, or (local mode only) a local cluster's.</summary>
    /// <exception cref="CrmConfigurationException">No connection string and no local mode.</exception>
    public static string ResolveConnectionString(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(CrmOptions.Section);
        var localMode = section.GetValue<bool>(nameof(CrmOptions.LocalMode));
        if (localMode)
        {
            UseLocalKeysWhereUnset(builder);
        }

        var configured = builder.Configuration.GetConnectionString("Crm");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        if (!localMode)
        {
            throw new CrmConfigurationException(
                "ConnectionStrings__Crm is not set: set it to the CRM database's PostgreSQL connection string " +
                "(e.g. Host=db;Database=crm;Username=crm_app;Password=...). For development only, Crm__LocalMode=true starts a private PostgreSQL instead.");
        }

        var dataDirectory = section[nameof(CrmOptions.LocalDataDirectory)] ?? new CrmOptions().LocalDataDirectory;
        var cluster = LocalPostgresCluster.StartAsync(new LocalPostgresOptions(dataDirectory), NullLogger.Instance).GetAwaiter().GetResult();
        cluster.EnsureDatabaseAsync(DatabaseName).GetAwaiter().GetResult();

        builder.Services.AddSingleton(cluster);
        builder.Services.AddHostedService(services => new LocalClusterLifetime(cluster, services.GetRequiredService<ILogger<LocalClusterLifetime>>()));
        return cluster.ConnectionStringFor(DatabaseName);
    }

    /// <summary>Local mode: the documented local keys for the ones not set, with a warning once logging is up.</summary>
    private static void UseLocalKeysWhereUnset(WebApplicationBuilder builder)
    {
        var defaulted = new List<string>();
        foreach (var (key, localDefault) in new[] { (nameof(CrmOptions.ApiKey), CrmOptions.LocalDefaultApiKey), (nameof(CrmOptions.ReadApiKey), CrmOptions.LocalDefaultReadApiKey) })
        {
            var path = $"{CrmOptions.Section}:{key}";
            if (string.IsNullOrWhiteSpace(builder.Configuration[path]))
            {
                builder.Configuration[path] = localDefault;
                defaulted.Add($"Crm__{key}='{localDefault}'");
            }
        }

        if (defaulted.Count > 0)
        {
            builder.Services.AddHostedService(services => new LocalKeysWarning(defaulted, services.GetRequiredService<ILogger<LocalKeysWarning>>()));
        }
    }
}

/// <summary>Start-up refused: a setting is missing or unsafe. The message names the variable and what to set.</summary>
public sealed class CrmConfigurationException(string message) : Exception(message);

/// <summary>Says, once logging is up, which documented local keys local mode uses.</summary>
internal sealed partial class LocalKeysWarning(IReadOnlyList<string> defaulted, ILogger<LocalKeysWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogDefaultKeys(string.Join(", ", defaulted));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Local mode (Crm__LocalMode=true): using the documented local keys {Keys}. Never use local mode outside a developer machine.")]
    private partial void LogDefaultKeys(string keys);
}

/// <summary>Says where the local cluster lives once logging is up, and stops the cluster when the backend stops.</summary>
internal sealed partial class LocalClusterLifetime(LocalPostgresCluster cluster, ILogger<LocalClusterLifetime> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogLocalMode(cluster.DataDirectory, cluster.Port);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        cluster.Stop();
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Information, "Local mode: no ConnectionStrings__Crm set, using a private PostgreSQL cluster in {DataDirectory} on 127.0.0.1:{Port}")]
    private partial void LogLocalMode(string dataDirectory, int port);
}
