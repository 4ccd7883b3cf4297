using LeadFlow.Crm.Backend.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeadFlow.Crm.Backend.LocalDatabase;

/// <summary>
/// Local mode: with no <c>ConnectionStrings__Crm</c>, the backend starts its own PostgreSQL cluster from the
/// machine's binaries (data kept under <c>Crm__LocalDataDirectory</c>) and stops it on shutdown.
/// </summary>
public static class LocalModeSetup
{
    public const string DatabaseName = "crm";

    /// <summary>Returns the connection string to use: the configured one, or a local cluster's.</summary>
    public static string ResolveConnectionString(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString("Crm");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var section = builder.Configuration.GetSection(CrmOptions.Section);
        var dataDirectory = section[nameof(CrmOptions.LocalDataDirectory)] ?? new CrmOptions().LocalDataDirectory;
        var cluster = LocalPostgresCluster.StartAsync(new LocalPostgresOptions(dataDirectory), NullLogger.Instance).GetAwaiter().GetResult();
        cluster.EnsureDatabaseAsync(DatabaseName).GetAwaiter().GetResult();

        var usesDefaultKey = string.IsNullOrWhiteSpace(section[nameof(CrmOptions.ApiKey)]);
        if (usesDefaultKey)
        {
            builder.Configuration[$"{CrmOptions.Section}:{nameof(CrmOptions.ApiKey)}"] = CrmOptions.LocalDefaultApiKey;
        }

        builder.Services.AddSingleton(cluster);
        builder.Services.AddHostedService(services => new LocalClusterLifetime(cluster, usesDefaultKey, services.GetRequiredService<ILogger<LocalClusterLifetime>>()));
        return cluster.ConnectionStringFor(DatabaseName);
    }
}

/// <summary>Says where the local cluster lives once logging is up, and stops the cluster when the backend stops.</summary>
internal sealed partial class LocalClusterLifetime(LocalPostgresCluster cluster, bool usesDefaultKey, ILogger<LocalClusterLifetime> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogLocalMode(cluster.DataDirectory, cluster.Port);
        if (usesDefaultKey)
        {
            LogDefaultKey(CrmOptions.LocalDefaultApiKey);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        cluster.Stop();
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Information, "Local mode: no ConnectionStrings__Crm set, using a private PostgreSQL cluster in {DataDirectory} on 127.0.0.1:{Port}")]
    private partial void LogLocalMode(string dataDirectory, int port);

    [LoggerMessage(LogLevel.Warning, "Local mode: no Crm__ApiKey set, using the documented local default '{LocalKey}'. Set Crm__ApiKey for anything but local use.")]
    private partial void LogDefaultKey(string localKey);
}
