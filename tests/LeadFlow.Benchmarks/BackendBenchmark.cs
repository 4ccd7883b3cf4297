using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using LeadFlow.Leads;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LeadFlow.Benchmarks;

/// <summary>
/// <c>POST /create_client</c> through the real backend (Kestrel, EF Core, idempotent insert) against plain
/// pooled Npgsql inserts of the same rows, same concurrency, same private PostgreSQL. The bar: the backend
/// keeps at least half the throughput of the bare database insert.
/// </summary>
public sealed class BackendBenchmark : IBenchmark
{
    private const double Bar = 0.5;

    public string Name => "backend";

    public string Description => "POST /create_client vs plain Npgsql inserts [--requests N] [--concurrency C] [--warmup W]";

    public async Task<int> RunAsync(string[] args)
    {
        var requests = Option(args, "--requests", 20_000);
        var concurrency = Option(args, "--concurrency", 16);
        var warmup = Option(args, "--warmup", 1_000);

        await using var server = await PostgresServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync("leadflow_bench");
        await using var backend = await CrmBackendHost.StartAsync(connectionString, apiKey: null, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = backend.BaseAddress };
        http.DefaultRequestHeaders.Add("x-api-key", backend.ApiKey);

        var rows = Enumerable.Range(0, warmup + requests).Select(Row).ToArray();
        Console.WriteLine($"backend benchmark: {requests} creates after {warmup} warm-up, concurrency {concurrency}, PostgreSQL {(server.IsPrivate ? "private cluster" : "from LEADFLOW_TEST_PG")}");

        var viaBackend = await MeasureAsync(rows, warmup, concurrency, async row =>
        {
            using var content = new ByteArrayContent(row.Json);
            using var response = await http.PostAsync(new Uri("create_client", UriKind.Relative), content);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"create_client answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        });

        // The floor: what the HTTP round trip alone costs on this machine (no body, no database).
        var httpFloor = await MeasureAsync(rows, warmup, concurrency, async _ =>
        {
            using var response = await http.GetAsync(new Uri("health/live", UriKind.Relative));
            response.EnsureSuccessStatusCode();
        });

        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { MaxPoolSize = concurrency * 2 } }.Build();
        await using (var truncate = dataSource.CreateCommand("TRUNCATE clients RESTART IDENTITY CASCADE"))
        {
            await truncate.ExecuteNonQueryAsync();
        }

        var viaNpgsql = await MeasureAsync(rows, warmup, concurrency, async row =>
        {
            await using var command = dataSource.CreateCommand("INSERT INTO clients (rut, name, lastname, mail, phone) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (rut) DO NOTHING RETURNING id");
            command.Parameters.Add(new() { Value = row.Rut });
            command.Parameters.Add(new() { Value = "Alice" });
            command.Parameters.Add(new() { Value = "Cooper" });
            command.Parameters.Add(new() { Value = "acooper@example.com" });
            command.Parameters.Add(new() { Value = "+56 9 5454 5454" });
            _ = await command.ExecuteScalarAsync() ?? throw new InvalidOperationException("Row was not inserted.");
        });

        var ratio = viaBackend.PerSecond / viaNpgsql.PerSecond;
        Console.WriteLine($"{"",-22}{"requests/s",12}{"p50 ms",10}{"p99 ms",10}{"cpu us/req",12}{"KB/req",10}");
        Print("POST /create_client", viaBackend);
        Print("plain Npgsql insert", viaNpgsql);
        Print("(GET /health/live)", httpFloor);
        Console.WriteLine($"ratio backend/npgsql: {ratio:F2} (bar {Bar:F2}) -> {(ratio >= Bar ? "PASS" : "FAIL")}");
        await server.DropDatabaseAsync(connectionString);
        return ratio >= Bar ? 0 : 1;
    }

    private static (string Rut, byte[] Json) Row(int index)
    {
        var body = (30_000_000 + index).ToString(CultureInfo.InvariantCulture);
        var rut = $"{body}-{Rut.CheckDigit(body)}";
        return (rut, Encoding.UTF8.GetBytes($$"""{"name":"Alice","lastname":"Cooper","rut":"{{rut}}","mail":"acooper@example.com","phone":"+56 9 5454 5454"}"""));
    }

    private static async Task<Result> MeasureAsync((string Rut, byte[] Json)[] rows, int warmup, int concurrency, Func<(string Rut, byte[] Json), Task> send)
    {
        await RunAsync(rows.AsMemory(0, warmup), concurrency, send, latencies: null);
        var measured = rows.AsMemory(warmup);
        var latencies = new double[measured.Length];
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        await RunAsync(measured, concurrency, send, latencies);
        clock.Stop();
        process.Refresh();
        var cpuPerRequest = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / measured.Length;
        var allocatedPerRequest = (GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) / 1024.0 / measured.Length;
        Array.Sort(latencies);
        return new Result(measured.Length / clock.Elapsed.TotalSeconds, Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 99), cpuPerRequest, allocatedPerRequest);
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

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <param name="CpuMicroseconds">This process's CPU time per request (client and, for the backend, server; not PostgreSQL's): steadier than req/s on a busy machine.</param>
    private sealed record Result(double PerSecond, double P50, double P99, double CpuMicroseconds, double AllocatedKilobytes);
}
