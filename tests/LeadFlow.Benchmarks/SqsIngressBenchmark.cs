using System.Diagnostics;
using System.Globalization;
using Amazon.SQS.Model;
using LeadFlow.Ingress.Sqs;
using LeadFlow.Ingress.Starting;
using LeadFlow.Leads;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Sqs;
using LeadFlow.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Temporalio.Client;

namespace LeadFlow.Benchmarks;

/// <summary>
/// The SQS poller (fauxqs) -> the test Temporal server. Phase 1: starts per second draining a queue
/// of queued events, no worker (starts only). Phase 2: end to end with the production worker running
/// the real workflow against the real backend and PostgreSQL: time from the first receive until every
/// lead's workflow completed. Bar: at least 300 starts/s in phase 1.
/// </summary>
public sealed class SqsIngressBenchmark : IBenchmark
{
    private const double BarStartsPerSecond = 300;

    public string Name => "sqs";

    public string Description => "SQS poller -> Temporal: starts/s from a queue of events, then end-to-end completion with the real workflow [--events 2000] [--e2e-events 300] [--concurrency 40]";

    public async Task<int> RunAsync(string[] args)
    {
        var events = BenchmarkArgs.PositiveInt(args, "--events", 2000);
        var e2eEvents = BenchmarkArgs.PositiveInt(args, "--e2e-events", 300);
        var concurrency = BenchmarkArgs.PositiveInt(args, "--concurrency", 40);

        await using var fauxqs = await FauxqsServer.StartAsync();
        var temporal = await TestTemporal.GetAsync();
        var client = await temporal.ConnectAsync();
        Console.WriteLine($"sqs: fauxqs at {fauxqs.ServiceUrl}, Temporal {temporal.Kind} at {temporal.Address}, poller MaxConcurrency {concurrency} ({Environment.ProcessorCount} cores)");

        // Phase 1: starts only; nobody polls the task queue.
        var startsQueue = $"lead-onboarding-sqs-starts-{Guid.NewGuid():N}";
        var (startsPerSecond, startsElapsed) = await DrainAsync(fauxqs, client, startsQueue, events, concurrency, waitForCompletion: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"starts      {startsPerSecond,8:0.0} starts/s  ({events} queued events started and deleted in {startsElapsed.TotalSeconds:0.00} s)"));

        // Phase 2: the real workflow, production worker, real backend + PostgreSQL.
        var postgres = await PostgresServer.GetAsync();
        await using var backend = await CrmBackendHost.StartAsync(await postgres.CreateDatabaseAsync("leadflow_bench_sqs"), apiKey: null,
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        var e2eQueue = $"lead-onboarding-sqs-e2e-{Guid.NewGuid():N}";
        using (var worker = await StartWorkerAsync(temporal, backend, e2eQueue))
        {
            var (leadsPerSecond, e2eElapsed) = await DrainAsync(fauxqs, client, e2eQueue, e2eEvents, concurrency, waitForCompletion: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"end-to-end  {leadsPerSecond,8:0.0} leads/s   ({e2eEvents} queued events to completed real workflows (worker + backend + PostgreSQL) in {e2eElapsed.TotalSeconds:0.00} s)"));
            await worker.StopAsync();
        }

        if (startsPerSecond < BarStartsPerSecond)
        {
            Console.WriteLine($"FAIL: {startsPerSecond:0.0} starts/s is below the bar of {BarStartsPerSecond} starts/s");
            return 1;
        }

        Console.WriteLine($"OK: {startsPerSecond:0.0} starts/s >= {BarStartsPerSecond} starts/s");
        return 0;
    }

    private static async Task<(double PerSecond, TimeSpan Elapsed)> DrainAsync(
        FauxqsServer fauxqs, TemporalClient client, string taskQueue, int count, int concurrency, bool waitForCompletion)
    {
        var (queueUrl, _) = await fauxqs.CreateQueueWithDeadLetterQueueAsync("bench-" + Guid.NewGuid().ToString("N")[..12], maxReceiveCount: 5, visibilityTimeoutSeconds: 60);
        var ids = await EnqueueAsync(fauxqs, queueUrl, count);
        var starter = new LeadWorkflowStarter(TemporalClientSource.For(client, taskQueue));
        using var poller = new SqsLeadPoller(
            fauxqs.CreateClient(),
            starter,
            Options.Create(new SqsIngressOptions { QueueUrl = queueUrl, ServiceUrl = fauxqs.ServiceUrl.ToString(), WaitTimeSeconds = 1, VisibilityTimeoutSeconds = 60, MaxConcurrency = concurrency }),
            NullLogger<SqsLeadPoller>.Instance);

        var clock = Stopwatch.StartNew();
        await poller.StartAsync(CancellationToken.None);
        if (waitForCompletion)
        {
            await Task.WhenAll(ids.Select(async id =>
            {
                while (true)
                {
                    try
                    {
                        await client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(id)).GetResultAsync();
                        return;
                    }
                    catch (Temporalio.Exceptions.RpcException e) when (e.Code == Temporalio.Exceptions.RpcException.StatusCode.NotFound)
                    {
                        await Task.Delay(50); // Not started yet.
                    }
                }
            }));
        }
        else
        {
            while (poller.Counts.Started + poller.Counts.Duplicates < count)
            {
                await Task.Delay(10);
            }
        }

        clock.Stop();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await poller.StopAsync(stop.Token);
        var remaining = (await fauxqs.InspectAsync(queueUrl)).Count;
        if (poller.Counts.Started != count || remaining != 0)
        {
            Console.WriteLine($"warning: {poller.Counts.Started} started, {poller.Counts.Duplicates} duplicates, {poller.Counts.Left} left, {remaining} still queued");
        }

        return (count / clock.Elapsed.TotalSeconds, clock.Elapsed);
    }

    private static async Task<List<string>> EnqueueAsync(FauxqsServer fauxqs, string queueUrl, int count)
    {
        using var sqs = fauxqs.CreateClient();
        var events = Enumerable.Range(0, count).Select(_ => NewEvent()).ToList();
        foreach (var chunk in events.Chunk(10))
        {
            var entries = chunk.Select((e, i) => new SendMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), e.Json)).ToList();
            await sqs.SendMessageBatchAsync(new SendMessageBatchRequest(queueUrl, entries));
        }

        return events.Select(e => e.Id).ToList();
    }

    private static async Task<IHost> StartWorkerAsync(TestTemporalServer temporal, CrmBackendHost backend, string taskQueue)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Benchmark", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = temporal.Address,
            ["Temporal:Namespace"] = temporal.Namespace,
            ["Temporal:TaskQueue"] = taskQueue,
            ["Crm:BaseUrl"] = backend.BaseAddress.ToString(),
            ["Crm:ApiKey"] = backend.ApiKey,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddLeadOnboardingWorker(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static (string Id, string Json) NewEvent()
    {
        var id = SampleLeads.NewEventId();
        return (id, SampleLeads.Envelope(eventId: id).ToJsonString());
    }

}
