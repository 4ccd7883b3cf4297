using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using System.Text;
using LeadFlow.Crm.Backend;
using LeadFlow.Crm.Backend.Auth;
using LeadFlow.Leads;
using LeadFlow.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LeadFlow.Benchmarks;

/// <summary>
/// <c>POST /create_client</c> through the real backend, built and configured as deployed (Kestrel, API key,
/// validation, natural-key insert), against plain pooled Npgsql inserts of the same rows, same concurrency, same
/// pool size, same private PostgreSQL. Both sides are warmed up until the JIT is quiet, then measured in
/// alternating rounds. The bar: the backend keeps at least half the throughput of the bare database insert.
/// </summary>
public sealed class BackendBenchmark : IBenchmark
{
    private const double Bar = 0.5;
    private const string BenchmarkApiKey = "benchmark-api-key-3b9d";

    public string Name => "backend";

    public string Description => "POST /create_client vs plain Npgsql inserts [--requests N] [--concurrency C] [--warmup W] [--rounds R]";

    public async Task<int> RunAsync(string[] args)
    {
        var requests = BenchmarkArgs.PositiveInt(args, "--requests", 20_000);
        var concurrency = BenchmarkArgs.PositiveInt(args, "--concurrency", 16);
        var warmup = BenchmarkArgs.PositiveInt(args, "--warmup", 1_000);
        var rounds = Math.Max(1, BenchmarkArgs.PositiveInt(args, "--rounds", 4));

        await using var server = await PostgresServer.GetAsync();
        // Both sides get the same pool: the backend through its connection string, the baseline through its data source.
        var connectionString = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("leadflow_bench")) { MaxPoolSize = concurrency * 2 }.ConnectionString;
        await using var backend = await StartDeployedBackendAsync(connectionString);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = backend.BaseAddress };
        http.DefaultRequestHeaders.Add(ApiKeyMiddleware.HeaderName, BenchmarkApiKey);
        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();

        var perRound = Math.Max(1, requests / rounds);
        var rows = Enumerable.Range(0, Math.Max(warmup, perRound)).Select(Row).ToArray();
        Console.WriteLine($"backend benchmark: {perRound * rounds} creates per side in {rounds} alternating rounds after a warm-up of at least {warmup} each, concurrency {concurrency}, PostgreSQL {(server.IsPrivate ? "private cluster" : "from LEADFLOW_TEST_PG")}");

        Func<(string Rut, byte[] Json), Task> viaBackend = async row =>
        {
            using var content = new ByteArrayContent(row.Json);
            using var response = await http.PostAsync(new Uri("create_client", UriKind.Relative), content);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"create_client answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        };

        Func<(string Rut, byte[] Json), Task> viaNpgsql = async row =>
        {
            await using var command = dataSource.CreateCommand("INSERT INTO clients (rut, name, lastname, mail, phone) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (rut) DO NOTHING RETURNING id");
            command.Parameters.Add(new() { Value = row.Rut });
            command.Parameters.Add(new() { Value = "Alice" });
            command.Parameters.Add(new() { Value = "Cooper" });
            command.Parameters.Add(new() { Value = "acooper@example.com" });
            command.Parameters.Add(new() { Value = "+56 9 5454 5454" });
            _ = await command.ExecuteScalarAsync() ?? throw new InvalidOperationException("Row was not inserted.");
        };

        // The floor: what the HTTP round trip alone costs on this machine (no body, no database).
        Func<(string Rut, byte[] Json), Task> httpFloor = async _ =>
        {
            using var response = await http.GetAsync(new Uri("health/live", UriKind.Relative));
            response.EnsureSuccessStatusCode();
        };

        // Both sides warm up until the JIT has finished tiering up their code, so neither is measured half-compiled.
        var warmups = new List<string>();
        foreach (var (label, send) in new[] { ("backend", viaBackend), ("npgsql", viaNpgsql), ("http floor", httpFloor) })
        {
            warmups.Add($"{label} {await WarmUpAsync(dataSource, rows.AsMemory(0, warmup), concurrency, send)}");
        }

        Console.WriteLine($"warm-up requests: {string.Join(", ", warmups)}");

        // Alternating rounds on an emptied table: a burst of load from elsewhere on the machine hits both sides alike.
        var backendRounds = new List<Round>();
        var npgsqlRounds = new List<Round>();
        var floorRounds = new List<Round>();
        for (var round = 0; round < rounds; round++)
        {
            await TruncateAsync(dataSource);
            backendRounds.Add(await MeasureAsync(rows.AsMemory(0, perRound), concurrency, viaBackend));
            await TruncateAsync(dataSource);
            npgsqlRounds.Add(await MeasureAsync(rows.AsMemory(0, perRound), concurrency, viaNpgsql));
            floorRounds.Add(await MeasureAsync(rows.AsMemory(0, Math.Min(perRound, warmup)), concurrency, httpFloor));
        }

        var backendResult = Result.Of(backendRounds);
        var npgsqlResult = Result.Of(npgsqlRounds);
        var ratio = backendResult.PerSecond / npgsqlResult.PerSecond;
        Console.WriteLine($"{"",-22}{"requests/s",12}{"p50 ms",10}{"p99 ms",10}{"cpu us/req",12}{"KB/req",10}");
        Print("POST /create_client", backendResult);
        Print("plain Npgsql insert", npgsqlResult);
        Print("(GET /health/live)", Result.Of(floorRounds));
        Console.WriteLine($"per round ratio: {string.Join(", ", backendRounds.Zip(npgsqlRounds, (b, n) => (b.PerSecond / n.PerSecond).ToString("F2", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"ratio backend/npgsql: {ratio:F2} (bar {Bar:F2}) -> {(ratio >= Bar ? "PASS" : "FAIL")}");
        await backend.DisposeAsync();
        await server.DropDatabaseAsync(connectionString);
        return ratio >= Bar ? 0 : 1;
    }

    /// <summary>The backend as deployed: <see cref="CrmBackendApp.Build"/>, Production, logging at Warning, no test middleware.</summary>
    private static async Task<DeployedBackend> StartDeployedBackendAsync(string connectionString)
    {
        var app = CrmBackendApp.Build(
            ["--urls", "http://127.0.0.1:0", "--environment", Environments.Production],
            builder =>
            {
                builder.Configuration["ConnectionStrings:Crm"] = connectionString;
                builder.Configuration["Crm:ApiKey"] = BenchmarkApiKey;
                builder.Configuration["Crm:ReadApiKey"] = BenchmarkApiKey + "-read";
                builder.Configuration["Logging:LogLevel:Default"] = nameof(LogLevel.Warning);
            });
        await app.StartAsync();
        return new DeployedBackend(app);
    }

    private static async Task TruncateAsync(NpgsqlDataSource dataSource)
    {
        await using var truncate = dataSource.CreateCommand("TRUNCATE clients RESTART IDENTITY CASCADE");
        await truncate.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Runs batches until three in a row compile (almost) no new code; returns how many requests that took.
    /// One quiet batch is not enough: the tiering JIT waits for a lull before it promotes hot methods.
    /// </summary>
    private static async Task<int> WarmUpAsync(NpgsqlDataSource dataSource, ReadOnlyMemory<(string Rut, byte[] Json)> batch, int concurrency, Func<(string Rut, byte[] Json), Task> send)
    {
        const int MaxBatches = 60;
        const int QuietBatchesNeeded = 3;
        const long QuietMethods = 10;
        var sent = 0;
        var quietBatches = 0;
        for (var attempt = 0; attempt < MaxBatches && quietBatches < QuietBatchesNeeded; attempt++)
        {
            await TruncateAsync(dataSource);
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            await RunAsync(batch, concurrency, send, latencies: null);
            sent += batch.Length;
            quietBatches = JitInfo.GetCompiledMethodCount() - compiledBefore <= QuietMethods ? quietBatches + 1 : 0;
        }

        await TruncateAsync(dataSource);
        return sent;
    }

    private static (string Rut, byte[] Json) Row(int index)
    {
        var body = (30_000_000 + index).ToString(CultureInfo.InvariantCulture);
        var rut = $"{body}-{Rut.CheckDigit(body)}";
        return (rut, Encoding.UTF8.GetBytes($$"""{"name":"Alice","lastname":"Cooper","rut":"{{rut}}","mail":"acooper@example.com","phone":"+56 9 5454 5454"}"""));
    }

    private static async Task<Round> MeasureAsync(ReadOnlyMemory<(string Rut, byte[] Json)> rows, int concurrency, Func<(string Rut, byte[] Json), Task> send)
    {
        var latencies = new double[rows.Length];
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        await RunAsync(rows, concurrency, send, latencies);
        clock.Stop();
        process.Refresh();
        return new Round(rows.Length, clock.Elapsed, process.TotalProcessorTime - cpuBefore, GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore, latencies);
    }

    private static Task RunAsync(ReadOnlyMemory<(string Rut, byte[] Json)> rows, int concurrency, Func<(string Rut, byte[] Json), Task> send, double[]? latencies)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < rows.Length)
            {
                var started = Stopwatch.GetTimestamp();
                await send(rows.Span[index]);
                if (latencies is not null)
                {
                    latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            }
        })));
    }

    private static void Print(string label, Result result) =>
        Console.WriteLine($"{label,-22}{result.PerSecond,12:F0}{result.P50,10:F2}{result.P99,10:F2}{result.CpuMicroseconds,12:F0}{result.AllocatedKilobytes,10:F1}");


    private sealed record Round(int Requests, TimeSpan Elapsed, TimeSpan Cpu, long AllocatedBytes, double[] Latencies)
    {
        public double PerSecond => Requests / Elapsed.TotalSeconds;
    }

    /// <param name="CpuMicroseconds">This process's CPU time per request (client and, for the backend, server; not PostgreSQL's): steadier than req/s on a busy machine.</param>
    private sealed record Result(double PerSecond, double P50, double P99, double CpuMicroseconds, double AllocatedKilobytes)
    {
        public static Result Of(IReadOnlyList<Round> rounds)
        {
            var requests = rounds.Sum(r => r.Requests);
            var latencies = rounds.SelectMany(r => r.Latencies).ToArray();
            Array.Sort(latencies);
            return new Result(
                requests / rounds.Sum(r => r.Elapsed.TotalSeconds),
                Stats.Percentile(latencies, 50),
                Stats.Percentile(latencies, 99),
                rounds.Sum(r => r.Cpu.TotalMicroseconds) / requests,
                rounds.Sum(r => r.AllocatedBytes) / 1024.0 / requests);
        }
    }

    private sealed class DeployedBackend(WebApplication app) : IAsyncDisposable
    {
        private bool disposed;

        public Uri BaseAddress { get; } = new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");

        public async ValueTask DisposeAsync()
        {
            if (!disposed)
            {
                disposed = true;
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }
}
