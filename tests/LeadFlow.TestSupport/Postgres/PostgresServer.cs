using LeadFlow.Crm.Backend.LocalDatabase;
using Npgsql;

namespace LeadFlow.TestSupport;

/// <summary>
/// The one PostgreSQL server of a test process: <c>LEADFLOW_TEST_PG</c> (a connection string to an existing
/// server, whose user may create databases) when set, else a private <see cref="LocalPostgresCluster"/> in a
/// temporary directory, stopped and removed when the process exits. Tests get their own databases on it.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "LEADFLOW_TEST_PG";

    private const string TemporaryPrefix = "lfpg";
    private const string OwnerFile = "owner.pid";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly LocalPostgresCluster? cluster;
    private readonly string? temporaryDirectory;

    private PostgresServer(string connectionString, LocalPostgresCluster? cluster, string? temporaryDirectory)
    {
        ConnectionString = connectionString;
        this.cluster = cluster;
        this.temporaryDirectory = temporaryDirectory;
    }

    /// <summary>Connection string to the server's maintenance database, as a user who may create databases.</summary>
    public string ConnectionString { get; }

    /// <summary>True when the server is a private cluster of this process (false: <c>LEADFLOW_TEST_PG</c>).</summary>
    public bool IsPrivate => cluster is not null;

    /// <summary>The process-wide server, started on first use.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    /// <summary>Creates a new, uniquely named database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "leadflow_test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)].ToLowerInvariant();
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return ConnectionStringFor(name);
    }

    /// <summary>Drops the database, closing whatever connections still use it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        using var pooled = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(pooled);
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        cluster?.Stop();
        if (temporaryDirectory is not null && Directory.Exists(temporaryDirectory))
        {
            Directory.Delete(temporaryDirectory, recursive: true);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The test runner may end a test process without running its exit handlers, leaving its cluster running:
    /// clusters whose owning process is gone are stopped and removed by the next test process.
    /// </summary>
    private static async Task StopOrphansAsync()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), TemporaryPrefix + "*"))
        {
            var ownerFile = Path.Combine(directory, OwnerFile);
            if (!File.Exists(ownerFile) || !int.TryParse(await File.ReadAllTextAsync(ownerFile), out var owner) || IsAlive(owner))
            {
                continue;
            }

            try
            {
                var orphan = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(directory, "data"), Temporary: true));
                await orphan.ForceStopAsync();
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is LocalPostgresException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"Could not clean up the orphaned test cluster in {directory}: {ex.Message}");
            }
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } existing)
        {
            return new PostgresServer(existing, null, null);
        }

        await StopOrphansAsync();
        // Short path: the server's unix socket lives in the data directory.
        var directory = Directory.CreateTempSubdirectory(TemporaryPrefix).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(directory, "data"), Temporary: true));
        var server = new PostgresServer(cluster.ConnectionString, cluster, directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }
}
