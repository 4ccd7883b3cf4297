using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LeadFlow.Crm.Backend.LocalDatabase;

/// <summary>
/// A private PostgreSQL cluster started from the machine's PostgreSQL binaries: the backend's local mode,
/// the test fixtures and the <c>leadflow</c> CLI all use it. An initialised data directory is reused on
/// restart, so local data survives; a temporary cluster is deleted when stopped.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    public const string SuperUser = "leadflow";

    // A unix socket path must fit in sockaddr_un (about 107 bytes) including "/.s.PGSQL.<port>".
    private const int MaxSocketDirectoryLength = 80;

    private readonly LocalPostgresBinaries binaries;
    private readonly LocalPostgresOptions options;
    private readonly ILogger logger;
    private int stopped;

    private LocalPostgresCluster(LocalPostgresBinaries binaries, LocalPostgresOptions options, int port, bool ownsServer, ILogger logger)
    {
        this.binaries = binaries;
        this.options = options;
        this.logger = logger;
        Port = port;
        OwnsServer = ownsServer;
    }

    public string DataDirectory => options.DataDirectory;

    public int Port { get; }

    /// <summary>False when the data directory was already served by another process: then it is not stopped by this one.</summary>
    public bool OwnsServer { get; }

    /// <summary>Connection string to the <c>postgres</c> maintenance database as the superuser.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
    }.ConnectionString;

    public static async Task<LocalPostgresCluster> StartAsync(LocalPostgresOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var binaries = LocalPostgresBinaries.Find();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        options = options with { DataDirectory = dataDirectory };
        var runAs = OperatingSystem.IsLinux() && Environment.UserName == "root" ? UnprivilegedUser() : null;

        Directory.CreateDirectory(dataDirectory);
        if (runAs is not null)
        {
            // initdb and postgres refuse to run as root: the data directory and its parent belong to the user they run as.
            await RunAsync("chown", ["-R", runAs, dataDirectory, Path.GetDirectoryName(dataDirectory)!], null, cancellationToken);
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            logger.LogInformation("Initialising a PostgreSQL cluster in {DataDirectory}", dataDirectory);
            await RunAsync(binaries.InitDb, ["-D", dataDirectory, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"], runAs, cancellationToken);
        }

        if (RunningPort(dataDirectory) is { } runningPort && await binaries.IsRunningAsync(dataDirectory, runAs, cancellationToken))
        {
            logger.LogInformation("PostgreSQL in {DataDirectory} is already running on port {Port}; using it", dataDirectory, runningPort);
            return new LocalPostgresCluster(binaries, options, runningPort, ownsServer: false, logger);
        }

        var port = FreeLoopbackPort();
        var socketDirectory = dataDirectory.Length <= MaxSocketDirectoryLength ? dataDirectory : "";
        var serverOptions = $"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='{socketDirectory}'" + (options.Temporary ? " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" : "");
        await RunAsync(binaries.PgCtl, ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-o", serverOptions], runAs, cancellationToken);
        logger.LogInformation("PostgreSQL started on 127.0.0.1:{Port}, data in {DataDirectory}", port, dataDirectory);
        return new LocalPostgresCluster(binaries, options, port, ownsServer: true, logger);
    }

    /// <summary>Creates the database when it does not exist yet.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Stops the server (fast shutdown) when this process started it; deletes a temporary cluster's files.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        if (OwnsServer)
        {
            NpgsqlConnection.ClearAllPools();
            var runAs = OperatingSystem.IsLinux() && Environment.UserName == "root" ? UnprivilegedUser() : null;
            RunAsync(binaries.PgCtl, ["stop", "-m", "fast", "-w", "-D", DataDirectory], runAs, CancellationToken.None).GetAwaiter().GetResult();
            logger.LogInformation("PostgreSQL in {DataDirectory} stopped", DataDirectory);
        }

        if (options.Temporary)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// <c>pg_ctl restart -m immediate</c>: the server's processes quit without a checkpoint (as after a power cut, minus the
    /// disk), then it starts again with the same options and port and recovers from its write-ahead log. Open connections
    /// break. For the chaos benchmark; only for a server this process started.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another process started the server.</exception>
    /// <exception cref="LocalPostgresException">pg_ctl failed (its output is in the message).</exception>
    public Task RestartImmediatelyAsync(CancellationToken cancellationToken = default)
    {
        if (!OwnsServer)
        {
            throw new InvalidOperationException($"PostgreSQL in {DataDirectory} was started by another process");
        }

        var runAs = OperatingSystem.IsLinux() && Environment.UserName == "root" ? UnprivilegedUser() : null;
        // -l again: without it the restarted server writes to pg_ctl's output, which is read to its end.
        return RunAsync(binaries.PgCtl, ["restart", "-m", "immediate", "-w", "-t", "120", "-D", DataDirectory, "-l", Path.Combine(DataDirectory, "server.log")], runAs, cancellationToken);
    }

    /// <summary>Stops the server on this data directory even when another process started it (an orphan of a killed test run).</summary>
    public Task ForceStopAsync()
    {
        var runAs = OperatingSystem.IsLinux() && Environment.UserName == "root" ? UnprivilegedUser() : null;
        Interlocked.Exchange(ref stopped, 1);
        return RunAsync(binaries.PgCtl, ["stop", "-m", "fast", "-w", "-D", DataDirectory], runAs, CancellationToken.None);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    internal static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, string? runAs, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = runAs is null ? fileName : "runuser",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server must not inherit a working directory its user cannot enter.
            WorkingDirectory = Path.GetTempPath(),
        };
        if (runAs is not null)
        {
            foreach (var prefix in new[] { "-u", runAs, "--", fileName })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new LocalPostgresException($"'{Path.GetFileName(fileName)} {string.Join(' ', arguments)}' failed with exit code {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}");
        }

        return await output;
    }

    private static string UnprivilegedUser() => File.ReadLines("/etc/passwd").Any(line => line.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres" : "nobody";

    private static int? RunningPort(string dataDirectory)
    {
        // postmaster.pid line 4 holds the port; the file may be stale after a crash, so pg_ctl status decides.
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
