using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Amazon.SQS.Model;
using LeadFlow.Benchmarks.Chaos;
using Temporalio.Client;

namespace LeadFlow.Benchmarks;

/// <summary>
/// Not a test: the whole system as separate processes (see <see cref="ChaosSystem"/>) takes a seeded mix of leads
/// (<see cref="ChaosLeads"/>) while a seeded schedule of faults (<see cref="ChaosFault"/>) kills, pauses and cuts off its
/// parts; then it waits for the system to drain and counts, from Temporal and the CRM's tables, what became of every
/// lead (<see cref="ChaosReport"/>). Exit 1 on any lead lost (neither completed nor recorded as failed) or row duplicated.
/// </summary>
public sealed class ChaosBenchmark : IBenchmark
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(15);
    private static long _intakeRetries;

    public string Name => "chaos";

    public string Description => "every part a process, a seeded fault schedule (kills, pauses, PostgreSQL and Temporal outages): no lead lost, no row duplicated [--leads 2000] [--seed S]";

    public async Task<int> RunAsync(string[] args)
    {
        var leads = BenchmarkArgs.PositiveInt(args, "--leads", 2000);
        var seed = BenchmarkArgs.PositiveInt(args, "--seed", Random.Shared.Next(1, 1_000_000));
        var total = Stopwatch.StartNew();
        var deliveries = ChaosLeads.Draw(leads, seed);
        var window = TimeSpan.FromSeconds(Math.Max(60, leads / 20.0));
        var faults = ChaosFault.Schedule(seed, window, ChaosSystem.RedeliveryBudget, workers: 3, backends: 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chaos: seed {seed}, {leads} leads sent over {window.TotalSeconds:0}s (+{deliveries.Count(d => d.Kind == ChaosLeadKind.Poison)} poison messages), queue redelivery budget {ChaosSystem.MaxReceiveCount} receives x {ChaosSystem.VisibilityTimeoutSeconds}s = {ChaosSystem.RedeliveryBudget.TotalSeconds:0}s"));
        Console.WriteLine("fault schedule (from the first lead sent):");
        foreach (var fault in faults)
        {
            Console.WriteLine("  " + fault);
        }

        var folder = Path.Combine(Path.GetTempPath(), $"leadflow-chaos-{seed}-{Guid.NewGuid().ToString("N")[..6]}");
        Console.WriteLine($"parts' logs: {Path.Combine(folder, "logs")}");
        ChaosSystem? system = null;
        try
        {
            system = await ChaosSystem.StartAsync(folder, line => Console.WriteLine("  " + line));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"system up after {total.Elapsed.TotalSeconds:0}s: Temporal {system.TemporalDirectAddress} behind {system.TemporalProxy.Address}, PostgreSQL :{system.Postgres.Port}, 2 backends behind :{system.BackendBalancer.Port}, 3 workers, SQS poller, intake {system.IntakeUrl}"));
            var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(system.TemporalDirectAddress) { Namespace = "default" });

            var clock = Stopwatch.StartNew();
            var faultsDone = new ConcurrentBag<TimeSpan>();
            var faulting = Task.WhenAll(faults.Select(fault => InjectAsync(system, fault, clock, faultsDone)));
            var (refused, unaccepted) = await SendAsync(system, deliveries, window, clock);
            await faulting;
            var lastFault = faultsDone.Max();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all sent at t+{clock.Elapsed.TotalSeconds:0.0}s; last fault over at t+{lastFault.TotalSeconds:0.0}s; waiting for the system to drain (at most {DrainTimeout.TotalMinutes:0} min)"));

            var report = new ChaosReport(system, client, deliveries, refused, unaccepted, Interlocked.Read(ref _intakeRetries));
            var drained = await report.WaitForDrainAsync(DrainTimeout);
            var drainTime = clock.Elapsed - lastFault;
            Console.WriteLine(drained
                ? string.Create(CultureInfo.InvariantCulture, $"drained at t+{clock.Elapsed.TotalSeconds:0.0}s")
                : "NOT drained within the timeout: what is left counts as lost");
            var bad = await report.PrintAsync(drainTime, seed, total.Elapsed);
            return bad ? 1 : 0;
        }
        finally
        {
            if (system is not null)
            {
                await system.DisposeAsync();
            }

            foreach (var left in ChaosProcess.Started)
            {
                await left.DisposeAsync();
            }

            try
            {
                Directory.Delete(Path.Combine(folder, "pg"), recursive: true);
                Directory.Delete(Path.Combine(folder, "bin"), recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"could not remove {folder}: {e.Message}");
            }
        }
    }

    /// <summary>Sends the deliveries at an even pace over <paramref name="window"/>: queue ones in batches, intake ones each retried until answered.</summary>
    /// <returns>Event ids the intake refused with a 4xx (the sender got its answer; no workflow), and those it never accepted.</returns>
    private static async Task<(HashSet<string> Refused, HashSet<string> Unaccepted)> SendAsync(ChaosSystem system, IReadOnlyList<ChaosDelivery> deliveries, TimeSpan window, Stopwatch clock)
    {
        using var sqs = system.Fauxqs.CreateClient();
        using var http = new HttpClient { BaseAddress = system.IntakeUrl, Timeout = TimeSpan.FromSeconds(15) };
        var refused = new ConcurrentDictionary<string, bool>();
        var unaccepted = new ConcurrentDictionary<string, bool>();
        var posts = new List<Task>();
        foreach (var chunk in deliveries.Chunk(10))
        {
            var due = window * ((double)chunk[0].Index / deliveries.Count);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var queued = chunk.Where(d => d.Route == ChaosRoute.Queue).ToList();
            if (queued.Count > 0)
            {
                var entries = queued.Select((d, i) => new SendMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), d.Body)).ToList();
                await SendBatchAsync(sqs, system.QueueUrl, entries);
            }

            posts.AddRange(chunk.Where(d => d.Route == ChaosRoute.Intake).Select(d => PostAsync(http, d, refused, unaccepted)));
        }

        await Task.WhenAll(posts);
        return (refused.Keys.ToHashSet(), unaccepted.Keys.ToHashSet());
    }

    private static async Task SendBatchAsync(Amazon.SQS.IAmazonSQS sqs, string queueUrl, List<SendMessageBatchRequestEntry> entries)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var answer = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest(queueUrl, entries));
                if (answer.Failed is not { Count: > 0 } failed)
                {
                    return;
                }

                entries = entries.Where(e => failed.Any(f => f.Id == e.Id)).ToList();
            }
            catch (Exception e) when (attempt < 20 && e is Amazon.Runtime.AmazonServiceException or HttpRequestException)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>POST /events as a client does: again after a 503, 429 or a dropped connection, every second, for up to 10 minutes.</summary>
    private static async Task PostAsync(HttpClient http, ChaosDelivery delivery, ConcurrentDictionary<string, bool> refused, ConcurrentDictionary<string, bool> unaccepted)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var content = new StringContent(delivery.Body, Encoding.UTF8, "application/json");
                using var answer = await http.PostAsync(new Uri("events", UriKind.Relative), content);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }

                if ((int)answer.StatusCode is >= 400 and < 500 && answer.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    refused[delivery.EventId] = true;
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The intake is unreachable or slow: a client sends again.
            }

            Interlocked.Increment(ref _intakeRetries);

            await Task.Delay(1000);
        }

        unaccepted[delivery.EventId] = true;
    }

    private static async Task InjectAsync(ChaosSystem system, ChaosFault fault, Stopwatch clock, ConcurrentBag<TimeSpan> done)
    {
        if (fault.At > clock.Elapsed)
        {
            await Task.Delay(fault.At - clock.Elapsed);
        }

        var started = clock.Elapsed;
        switch (fault.Kind)
        {
            case ChaosFaultKind.KillWorker:
                system.Workers[fault.Target].Kill();
                await Task.Delay(fault.Duration);
                system.Workers[fault.Target].Start();
                break;
            case ChaosFaultKind.KillBackend:
                system.Backends[fault.Target].Kill();
                await Task.Delay(fault.Duration);
                system.Backends[fault.Target].Start();
                break;
            case ChaosFaultKind.KillPoller:
                system.Poller.Kill();
                await Task.Delay(fault.Duration);
                system.Poller.Start();
                break;
            case ChaosFaultKind.PauseBackend:
                await system.Backends[fault.Target].PauseAsync();
                await Task.Delay(fault.Duration);
                await system.Backends[fault.Target].ResumeAsync();
                break;
            case ChaosFaultKind.RestartPostgres:
                await system.Postgres.RestartImmediatelyAsync();
                break;
            case ChaosFaultKind.TemporalOutage:
                system.TemporalProxy.Close();
                await Task.Delay(fault.Duration);
                system.TemporalProxy.Open();
                break;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  t+{started.TotalSeconds,6:0.0}s .. t+{clock.Elapsed.TotalSeconds,6:0.0}s  done: {fault.Kind} {fault.Target}"));
        done.Add(clock.Elapsed);
    }
}
