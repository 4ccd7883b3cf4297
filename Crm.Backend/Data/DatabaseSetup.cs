using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.LocalDatabase;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LeadFlow.Crm.Backend.Data;

public static class DatabaseSetup
{
    /// <summary>
    /// Registers one <see cref="NpgsqlDataSource"/> (one connection pool) over the configured server (or local mode's
    /// cluster), the pooled <see cref="CrmDbContext"/> on top of it, and migrations at start-up. The creates use the
    /// data source directly; reads, deletes and migrations go through EF.
    /// </summary>
    public static WebApplicationBuilder AddCrmDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = LocalModeSetup.ResolveConnectionString(builder);
        // Traced commands (when telemetry is on) carry no "first response" event: one span per command is what an operator reads.
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).ConfigureTracing(tracing => tracing.EnableFirstResponseEvent(false)).Build());
        builder.Services.AddDbContextPool<CrmDbContext>((services, options) => options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddHostedService<MigrateOnStart>();
        return builder;
    }
}

/// <summary>Applies pending migrations before the server accepts requests (EF takes a database lock, so several instances may start at once).</summary>
internal sealed partial class MigrateOnStart(IServiceProvider services, IOptions<CrmOptions> options, ILogger<MigrateOnStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStart)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            LogMigrating(pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Applying {Count} database migration(s): {Migrations}")]
    private partial void LogMigrating(int count, string migrations);
}
