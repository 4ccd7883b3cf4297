using System.Net;
using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Steps;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary>
/// Idempotency records are purged after <c>Crm__IdempotencyRetention</c>, along an index, by the running backend; the
/// retention can never be set below the longest step retry window, so no step that may still retry loses its record.
/// </summary>
public sealed class IdempotencyRetentionTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    [Fact]
    public async Task RecordsOlderThanTheRetention_ArePurged_YoungerOnesKept_AndTheRowStaysOne()
    {
        var (oldKey, youngKey) = ($"old-{Guid.NewGuid()}", $"young-{Guid.NewGuid()}");
        var oldBody = Api.Client(Ruts.Next());
        using (var http = backend.Host.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await http.PostJsonAsync("/create_client", oldBody, oldKey)).Status);
            Assert.Equal(HttpStatusCode.OK, (await http.PostJsonAsync("/create_client", Api.Client(Ruts.Next()), youngKey)).Status);
        }

        await ExecuteAsync($"UPDATE idempotency_keys SET created_at = now() - interval '15 days' WHERE key = '{oldKey}'");
        await ExecuteAsync($"UPDATE idempotency_keys SET created_at = now() - interval '13 days' WHERE key = '{youngKey}'");

        // A second instance on the same database with the default retention (14 days), purging every second.
        await using var purging = await CrmBackendHost.StartAsync(backend.ConnectionString, apiKey: null, builder => builder.Configuration["Crm:IdempotencyPurgeInterval"] = "00:00:01");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await CountAsync(oldKey) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the 15-day-old record was not purged within 30 s");
            await Task.Delay(200);
        }

        Assert.Equal(1, await CountAsync(youngKey));
        // The purge logs after its DELETE commits: give the line the same deadline as the purge.
        while (!purging.Logs.Entries.Any(e => e.Message.Contains("Purged 1 idempotency record(s) older than 14.00:00:00", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the purge was not logged within 30 s");
            await Task.Delay(100);
        }

        // Past its retention a key is forgotten: the same request is judged by the natural key, one row still.
        using var client = purging.CreateClient();
        var late = await client.PostJsonAsync("/create_client", oldBody, oldKey);
        Assert.True(late.Status == HttpStatusCode.OK, late.Text + string.Join('\n', purging.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message + e.Exception)));
        Assert.False(late.Json.GetProperty("created").GetBoolean());
    }

    [Fact]
    public async Task ThePurge_WalksAnIndexOnCreatedAt()
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT indexdef FROM pg_indexes WHERE tablename = 'idempotency_keys' AND indexname = 'ix_idempotency_keys_created_at'", connection);

        Assert.Contains("(created_at)", (string?)await command.ExecuteScalarAsync() ?? "no such index", StringComparison.Ordinal);
    }

    [Fact]
    public void TheShortestRetention_OutlastsEveryStepsRetryWindow()
    {
        var longest = LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep).Max(step => step.Retry.RetryWindow);

        Assert.True(CrmOptions.MinimumIdempotencyRetention > longest, $"retention floor {CrmOptions.MinimumIdempotencyRetention} <= longest retry window {longest}");
        Assert.True(new CrmOptions().IdempotencyRetention >= CrmOptions.MinimumIdempotencyRetention);
    }

    [Fact]
    public async Task RetentionShorterThanTheLongestRetryWindow_RefusesToStart_NamingTheVariable()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            CrmBackendHost.StartAsync(backend.ConnectionString, apiKey: null, builder => builder.Configuration["Crm:IdempotencyRetention"] = "7.00:00:00"));

        Assert.Contains("Crm__IdempotencyRetention must be at least 8 days", e.Message, StringComparison.Ordinal);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private async Task<long> CountAsync(string key)
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM idempotency_keys WHERE key = @key", connection);
        command.Parameters.AddWithValue("key", key);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
