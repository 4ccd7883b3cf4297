using System.Diagnostics;
using System.Globalization;
using LeadFlow.Leads;
using LeadFlow.Steps.Crm;
using LeadFlow.Temporal;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Publishing;
using LeadFlow.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Temporalio.Client;

namespace LeadFlow.Benchmarks;

/// <summary>
/// Leads per second and event-to-committed latency (workflow start to completion) with the test Temporal server,
/// the production worker, the real backend and PostgreSQL in this process; then the same three backend calls
/// made directly, without orchestration, for comparison; the orchestrated leads run with payload encryption off and on
/// (the fixture key), in alternating rounds. Bars: at least 50 leads/s orchestrated; encrypted within 10% of plaintext.
/// </summary>
public sealed class EndToEndBenchmark : IBenchmark
{
    private const double BarLeadsPerSecond = 50;

    public string Name => "e2e";

    public string Description => "leads/s and p50/p99 latency through Temporal + worker + backend + PostgreSQL, payload encryption off and on, vs direct calls [--leads 1000] [--concurrency 100] [--rounds 2]; --tracing: telemetry off, on to a local Aspire dashboard, on to a discarding OTLP receiver, and on with 10% head sampling, instead";

    /// <summary>The bar of issue 16: with tracing on (exporting to the local dashboard), at least this share of the throughput with it off.</summary>
    private const double BarTracedShare = 0.85;

    /// <summary>The share of traces the <c>--tracing</c> sampled mode keeps, to show what head sampling buys.</summary>
    private const double SampledRatio = 0.1;

    /// <summary>The bar of issue 17: with payload encryption on, at least this share of the throughput with it off.</summary>
    private const double BarEncryptedShare = 0.9;

    public async Task<int> RunAsync(string[] args)
    {
        var leads = BenchmarkArgs.PositiveInt(args, "--leads", 1000);
        var concurrency = BenchmarkArgs.PositiveInt(args, "--concurrency", 100);
        var rounds = BenchmarkArgs.PositiveInt(args, "--rounds", 2);
        if (args.Contains("--tracing"))
        {
            return await TracingAsync(leads, concurrency, rounds);
        }

        var postgres = await PostgresServer.GetAsync();
        await using var backend = await CrmBackendHost.StartAsync(await postgres.CreateDatabaseAsync("leadflow_bench"), apiKey: null,
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        var temporal = await TestTemporal.GetAsync();

        // Two setups on the same server and backend: every client and worker without keys (plaintext payloads), and
        // every one with the fixture key (AES-256-GCM payloads, encoded failures), each on its own task queue.
        var plain = await SetupAsync(temporal, backend, encrypted: false);
        var encrypted = await SetupAsync(temporal, backend, encrypted: true);
        using var crm = CrmClient(backend);
        Console.WriteLine($"e2e: {leads} leads x {rounds} rounds per setup, {concurrency} started at once at most, Temporal {temporal.Kind} at {temporal.Address}, worker defaults ({Environment.ProcessorCount} cores)");

        // Warm-up: JIT, connection pools, the workers' workflow caches.
        await OrchestratedAsync(plain.Client, plain.TaskQueue, 100, concurrency);
        await OrchestratedAsync(encrypted.Client, encrypted.TaskQueue, 100, concurrency);
        await DirectAsync(crm.GetRequiredService<ICrmApi>(), 100, concurrency);

        // Alternating rounds, so a slower phase of the shared machine hits both setups alike.
        var plainRuns = new List<Run>();
        var encryptedRuns = new List<Run>();
        for (var round = 0; round < rounds; round++)
        {
            plainRuns.Add(await OrchestratedAsync(plain.Client, plain.TaskQueue, leads, concurrency));
            encryptedRuns.Add(await OrchestratedAsync(encrypted.Client, encrypted.TaskQueue, leads, concurrency));
        }

        var direct = await DirectAsync(crm.GetRequiredService<ICrmApi>(), leads, concurrency);
        var orchestrated = Combine(plainRuns);
        var withEncryption = Combine(encryptedRuns);
        Print("orchestrated, plaintext", orchestrated);
        Print("orchestrated, encrypted", withEncryption);
        Print("direct (3 HTTP calls)", direct);
        var share = withEncryption.LeadsPerSecond / orchestrated.LeadsPerSecond;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"encryption: {withEncryption.LeadsPerSecond:0.0} leads/s encrypted vs {orchestrated.LeadsPerSecond:0.0} leads/s plaintext = {share:P1} (bar {BarEncryptedShare:P0}); rounds encrypted/plaintext: {string.Join(", ", encryptedRuns.Zip(plainRuns, (e, p) => (e.LeadsPerSecond / p.LeadsPerSecond).ToString("P0", CultureInfo.InvariantCulture)))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio: direct is {direct.LeadsPerSecond / orchestrated.LeadsPerSecond:0.0}x the orchestrated throughput; orchestration adds {Stats.Percentile(orchestrated.SortedMs, 50) - Stats.Percentile(direct.SortedMs, 50):0.0} ms at p50"));

        await plain.Worker.StopAsync();
        await encrypted.Worker.StopAsync();
        plain.Worker.Dispose();
        encrypted.Worker.Dispose();
        // Backend errors (5xx) are retried by Temporal: they show up as latency, so say how many there were.
        var backendErrors = backend.Logs.Entries
            .Where(e => e.Level >= LogLevel.Error && !e.Message.Contains("__EFMigrationsHistory", StringComparison.Ordinal))
            .ToList();
        Console.WriteLine($"backend errors logged during the run: {backendErrors.Count}");
        foreach (var log in backendErrors.Take(2))
        {
            Console.WriteLine($"  backend: {log.Message[..Math.Min(200, log.Message.Length)]} {log.Exception?.Split('\n')[0]}");
        }

        var failed = false;
        if (orchestrated.LeadsPerSecond < BarLeadsPerSecond || orchestrated.Failures.Count + withEncryption.Failures.Count > 0)
        {
            Console.WriteLine($"FAIL: {orchestrated.LeadsPerSecond:0.0} leads/s with {orchestrated.Failures.Count + withEncryption.Failures.Count} failed leads; the bar is {BarLeadsPerSecond} leads/s, none failed");
            failed = true;
        }

        if (share < BarEncryptedShare)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL: encrypted throughput is {share:P1} of plaintext; the bar is {BarEncryptedShare:P0}"));
            failed = true;
        }

        if (failed)
        {
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK: {orchestrated.LeadsPerSecond:0.0} leads/s >= {BarLeadsPerSecond} leads/s; encrypted {share:P1} >= {BarEncryptedShare:P0}"));
        return 0;
    }

    /// <summary>
    /// Telemetry off and on, on one encrypted setup (as production runs), the same worker and backend, in four modes: off;
    /// on, every span, metric and log record of this process going over OTLP/gRPC to a local Aspire dashboard (the bar);
    /// on, exporting over OTLP/HTTP to a receiver that reads and discards (what the product itself costs, as with a
    /// collector on another machine); and on with head sampling, to the dashboard. Rounds run the modes in counterbalanced
    /// order (ABCD, DCBA, ...), so a machine that warms up or slows down over the run favours no mode.
    /// </summary>
    private static async Task<int> TracingAsync(int leads, int concurrency, int rounds)
    {
        await using var tracing = await TracingOverhead.StartAsync();
        var postgres = await PostgresServer.GetAsync();
        var forwarding = new TracingOverhead.ForwardingLoggerProvider();
        await using var backend = await CrmBackendHost.StartAsync(await postgres.CreateDatabaseAsync("leadflow_bench_tracing"), apiKey: null,
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning).AddProvider(forwarding));
        var temporal = await TestTemporal.GetAsync();
        var setup = await SetupAsync(temporal, backend, encrypted: true, forwarding);
        Console.WriteLine($"e2e --tracing: {leads} leads x {rounds} rounds per mode, {concurrency} started at once at most, Temporal {temporal.Kind} at {temporal.Address}, dashboard {tracing.DashboardUrl} (OTLP {tracing.Endpoint}), discarding receiver {tracing.SinkEndpoint}");

        Func<Task<Run>> Round(int count) => () => OrchestratedAsync(setup.Client, setup.TaskQueue, count, concurrency);
        var modes = new TracingMode[]
        {
            new("telemetry off", n => Round(n)()),
            new("on, to the dashboard", n => TracedAsync(tracing, TracingTarget.Dashboard, Round(n))),
            new("on, to a discarding receiver", n => TracedAsync(tracing, TracingTarget.DiscardingReceiver, Round(n))),
            new(string.Create(CultureInfo.InvariantCulture, $"on, {SampledRatio:P0} of traces, to the dashboard"), n => TracedAsync(tracing, TracingTarget.Dashboard, Round(n), SampledRatio)),
        };

        // Warm-up: every path once (JIT, connection pools, the receivers' first requests).
        foreach (var mode in modes)
        {
            await mode.Measure(100);
        }

        var runs = modes.ToDictionary(m => m, _ => new List<Run>());
        var dashboardCpu = TimeSpan.Zero;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var mode in round % 2 == 0 ? modes : modes.Reverse())
            {
                var dashboardBefore = tracing.DashboardCpu;
                runs[mode].Add(await mode.Measure(leads));
                if (mode == modes[1])
                {
                    dashboardCpu += tracing.DashboardCpu - dashboardBefore;
                }
            }
        }

        var results = modes.Select(m => Combine(runs[m])).ToArray();
        foreach (var (mode, result) in modes.Zip(results))
        {
            Print(mode.Name, result);
        }

        var off = results[0];
        var on = results[1];
        var share = on.LeadsPerSecond / off.LeadsPerSecond;
        string Share(int mode) => string.Create(CultureInfo.InvariantCulture, $"{results[mode].LeadsPerSecond / off.LeadsPerSecond:P1} of off (rounds {string.Join(", ", runs[modes[mode]].Zip(runs[modes[0]], (n, f) => (n.LeadsPerSecond / f.LeadsPerSecond).ToString("P0", CultureInfo.InvariantCulture)))})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dashboard process (ingesting what the on rounds sent it): {dashboardCpu.TotalMilliseconds / on.SortedMs.Count:0.0} ms CPU/lead on a {Environment.ProcessorCount}-core machine"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tracing, to the local dashboard: {on.LeadsPerSecond:0.0} leads/s on vs {off.LeadsPerSecond:0.0} off = {Share(1)}; bar {BarTracedShare:P0}"));
        Console.WriteLine($"tracing, to a discarding receiver (the product's own cost): {Share(2)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"head sampling (OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG {SampledRatio}; metrics and logs whole), to the dashboard: {Share(3)}"));
        var held = await tracing.DashboardSpansAsync();
        var lost = tracing.SpansToDashboard - held;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"spans: {tracing.SpansToDashboard} recorded while exporting to the dashboard, {held} held by it ({(lost == 0 ? "every one arrived" : $"{lost} lost")})"));
        await setup.Worker.StopAsync();
        setup.Worker.Dispose();
        var failed = results.Sum(r => r.Failures.Count);
        if (share < BarTracedShare || failed > 0 || lost != 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL: traced throughput is {share:P1} of untraced (bar {BarTracedShare:P0}), {failed} failed leads, {lost} spans lost on the way to the dashboard"));
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK: traced {share:P1} >= {BarTracedShare:P0}"));
        return 0;
    }

    /// <summary>A traced round: telemetry on, the round, its export flushed inside the measured time (what was buffered is part of its cost), then off.</summary>
    private static async Task<Run> TracedAsync(TracingOverhead tracing, TracingTarget target, Func<Task<Run>> round, double? sampledRatio = null)
    {
        tracing.On(target, sampledRatio);
        var flushed = Stopwatch.StartNew();
        var run = await round();
        var before = flushed.Elapsed;
        tracing.Off();
        var elapsed = run.Elapsed + (flushed.Elapsed - before);
        return run with { Elapsed = elapsed, LeadsPerSecond = run.SortedMs.Count / elapsed.TotalSeconds };
    }

    /// <summary>One way the <c>--tracing</c> rounds run; compared by reference.</summary>
    /// <param name="measure">Runs that many leads in this mode.</param>
    private sealed class TracingMode(string name, Func<int, Task<Run>> measure)
    {
        public string Name => name;

        public Func<int, Task<Run>> Measure => measure;
    }

    private static async Task<(TemporalClient Client, string TaskQueue, IHost Worker)> SetupAsync(TestTemporalServer temporal, CrmBackendHost backend, bool encrypted, ILoggerProvider? logs = null)
    {
        var options = temporal.Options;
        options.Encryption = encrypted ? TestEncryptionKeys.Options() : new();
        var client = await TemporalClient.ConnectAsync(await TemporalConnectOptionsFactory.CreateAsync(options));
        var taskQueue = $"lead-onboarding-bench-{(encrypted ? "encrypted" : "plain")}-{Guid.NewGuid():N}";
        var worker = await StartWorkerAsync(temporal, backend, taskQueue, encrypted, logs);
        return (client, taskQueue, worker);
    }

    /// <summary>One run of all the rounds' leads: throughput over their summed time, latencies pooled.</summary>
    private static Run Combine(IReadOnlyList<Run> runs)
    {
        var latencies = runs.SelectMany(r => r.SortedMs).Order().ToList();
        var elapsed = TimeSpan.FromTicks(runs.Sum(r => r.Elapsed.Ticks));
        return new Run(latencies.Count / elapsed.TotalSeconds, elapsed, latencies, runs.Average(r => r.CpuMsPerLead), [.. runs.SelectMany(r => r.Failures)]);
    }

    private static Task<Run> OrchestratedAsync(TemporalClient client, string taskQueue, int leads, int concurrency) =>
        MeasureAsync(leads, concurrency, async (eventId, eventJson) =>
        {
            // As the ingress starts a lead: the envelope itself (a JSON object) is the input.
            using var envelope = System.Text.Json.JsonDocument.Parse(eventJson);
            var handle = await client.StartWorkflowAsync(
                "LeadOnboardingWorkflow",
                [envelope.RootElement.Clone()],
                new WorkflowOptions(LeadWorkflowIds.ForEvent(eventId), taskQueue));
            await handle.GetResultAsync<LeadOnboardingResult>();
        });

    private static Task<Run> DirectAsync(ICrmApi crm, int leads, int concurrency) =>
        MeasureAsync(leads, concurrency, async (eventId, eventJson) =>
        {
            var lead = BenchmarkLeads.LeadOf(eventJson);
            await crm.CreateClientAsync(new(lead.Name, lead.Lastname, lead.Rut, lead.Mail, lead.Phone), $"direct-{eventId}:CreateClient");
            await crm.CreatePartnerAsync(new(lead.Rut, lead.Store), $"direct-{eventId}:CreatePartner");
            await crm.CreateBenefitAsync(new(lead.Rut, lead.WantsBenefit), $"direct-{eventId}:CreateBenefit");
        });

    private static async Task<Run> MeasureAsync(int leads, int concurrency, Func<string, string, Task> onboard)
    {
        var events = Enumerable.Range(0, leads).Select(_ => BenchmarkLeads.NewEvent()).ToList();
        var latencies = new List<double>(leads);
        var failures = new List<string>();
        using var slots = new SemaphoreSlim(concurrency);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(events.Select(async e =>
        {
            await slots.WaitAsync();
            try
            {
                var started = Stopwatch.GetTimestamp();
                await onboard(e.Id, e.Json);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(elapsed);
                }
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                // Counted, not fatal: a lead the backend refused still tells how the rest performed.
                lock (failures)
                {
                    failures.Add($"{error.GetType().Name}: {error.Message}");
                }
            }
            finally
            {
                slots.Release();
            }
        }));
        total.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        latencies.Sort();
        return new Run(latencies.Count / total.Elapsed.TotalSeconds, total.Elapsed, latencies, cpu.TotalMilliseconds / leads, failures);
    }

    private static async Task<IHost> StartWorkerAsync(TestTemporalServer temporal, CrmBackendHost backend, string taskQueue, bool encrypted, ILoggerProvider? logs)
    {
        // The production registration, only pointed at this process's servers.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Benchmark", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = temporal.Address,
            ["Temporal:Namespace"] = temporal.Namespace,
            ["Temporal:TaskQueue"] = taskQueue,
            ["Crm:BaseUrl"] = backend.BaseAddress.ToString(),
            ["Crm:ApiKey"] = backend.ApiKey,
        });
        if (encrypted)
        {
            builder.Configuration.AddInMemoryCollection(TestEncryptionKeys.Settings());
        }

        // The worker's shipped log levels (HttpClient and the SDK at Warning), as its image runs with them.
        builder.Configuration.AddJsonFile(Path.Combine(DotnetPublish.RepositoryRoot, "Worker", "appsettings.json"), optional: false);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddLeadOnboardingWorker(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static ServiceProvider CrmClient(CrmBackendHost backend)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:BaseUrl"] = backend.BaseAddress.ToString(),
            ["Crm:ApiKey"] = backend.ApiKey,
        }).Build();
        return new ServiceCollection().AddLogging().AddCrmApi(configuration).BuildServiceProvider();
    }

    private static void Print(string label, Run run)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-38} {run.LeadsPerSecond,8:0.0} leads/s  p50 {Stats.Percentile(run.SortedMs, 50),7:0.0} ms  p99 {Stats.Percentile(run.SortedMs, 99),7:0.0} ms  {run.CpuMsPerLead,5:0.0} ms CPU/lead  ({run.SortedMs.Count} leads in {run.Elapsed.TotalSeconds:0.00} s, {run.Failures.Count} failed)"));
        foreach (var (failure, count) in run.Failures.CountBy(f => f).Take(3))
        {
            Console.WriteLine($"  {count} x {failure}");
        }
    }


    /// <param name="CpuMsPerLead">CPU of this process (Temporal, worker, backend; PostgreSQL runs apart) per lead.</param>
    /// <param name="LeadsPerSecond">Completed leads only.</param>
    private sealed record Run(double LeadsPerSecond, TimeSpan Elapsed, IReadOnlyList<double> SortedMs, double CpuMsPerLead, IReadOnlyList<string> Failures);

    /// <summary>Events with valid, unique RUTs, as the bus delivers them.</summary>
    private static class BenchmarkLeads
    {
        public static (string Id, string Json) NewEvent()
        {
            var id = SampleLeads.NewEventId();
            return (id, SampleLeads.Envelope(eventId: id).ToJsonString());
        }

        public static Lead LeadOf(string eventJson)
        {
            using var document = System.Text.Json.JsonDocument.Parse(eventJson);
            return LeadReader.TryRead(document.RootElement.GetProperty("detail"), out var lead, out _)
                ? lead
                : throw new InvalidOperationException("benchmark event is invalid");
        }
    }
}
