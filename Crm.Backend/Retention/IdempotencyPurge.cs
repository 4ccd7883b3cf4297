using LeadFlow.Crm.Backend.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LeadFlow.Crm.Backend.Retention;

/// <summary>
/// Deletes idempotency records (<c>idempotency_keys</c>) older than <c>Crm__IdempotencyRetention</c>, every
/// <c>Crm__IdempotencyPurgeInterval</c>, in batches of <see cref="BatchSize"/> along the <c>created_at</c> index. A key is
/// only needed while the step that sent it may still retry (at most the longest retry window, 7 days of the error
/// step), so the retention is longer than that by a margin; a retry after it would find no record and be judged by the
/// natural key (rut) alone. Several backend instances may purge at once: locked rows are skipped, not waited for.
/// Survives every error (database down, a timeout): logged, tried again at the next interval.
/// </summary>
public sealed partial class IdempotencyPurge(NpgsqlDataSource database, IOptions<CrmOptions> options, TimeProvider time, ILogger<IdempotencyPurge> logger) : BackgroundService
{
    /// <summary>Rows deleted by one statement, so no purge holds many locks or a long transaction.</summary>
    public const int BatchSize = 5000;

    /// <summary>Deletes every record created before now minus the retention; returns how many.</summary>
    public async Task<long> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.IdempotencyRetention;
        long total = 0;
        while (true)
        {
            await using var command = database.CreateCommand(
                """
                DELETE FROM idempotency_keys WHERE key IN (
                  SELECT key FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = cutoff });
            command.Parameters.Add(new NpgsqlParameter { Value = BatchSize });
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < BatchSize)
            {
                return total;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.IdempotencyPurgeInterval;
        if (interval <= TimeSpan.Zero)
        {
            LogDisabled();
            return;
        }

        // The first purge one interval after start: not while migrations run, nor in a process that only exports the OpenAPI document.
        using var timer = new PeriodicTimer(interval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                var deleted = await PurgeOnceAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogPurged(deleted, options.Value.IdempotencyRetention);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                LogFailed(e, interval);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Purged {Count} idempotency record(s) older than {Retention}")]
    private partial void LogPurged(long count, TimeSpan retention);

    [LoggerMessage(LogLevel.Warning, "Purging idempotency records failed; trying again in {Interval}")]
    private partial void LogFailed(Exception exception, TimeSpan interval);

    [LoggerMessage(LogLevel.Warning, "Crm__IdempotencyPurgeInterval is 0: idempotency records are never purged")]
    private partial void LogDisabled();
}
