using System.Diagnostics;
using System.Runtime;
using LeadFlow.EmbeddedTemporal;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace LeadFlow.Benchmarks;

/// <summary>
/// What closed runs cost the embedded server in memory, and that retention gives it back: runs trivial workflows,
/// measures the managed heap (after a full compacting GC) with every run still kept, then again once the
/// namespace's retention has deleted them. Prints MB per 10,000 completed workflows before and after.
/// Bar: after the cleanup the heap is back within 5 MB per 10,000 of where it started.
/// </summary>
public sealed class RetentionMemoryBenchmark : IBenchmark
{
    private const double BarMegabytesPer10KAfterCleanup = 5;

    public string Name => "retention";

    public string Description => "embedded Temporal server: memory per 10,000 completed workflows before/after retention [--workflows 10000] [--retention-seconds 240]";

    public async Task<int> RunAsync(string[] args)
    {
        var workflows = BenchmarkArgs.PositiveInt(args, "--workflows", 10_000);
        // Longer than the runs take, so that every run is still kept when the heap is measured with them.
        var retention = TimeSpan.FromSeconds(BenchmarkArgs.PositiveInt(args, "--retention-seconds", 240));
        var warmupRetention = TimeSpan.FromSeconds(5);
        const int concurrency = 200;

        var options = new EmbeddedTemporalOptions { Port = 0, EnableWebUi = false, DefaultRetention = retention };
        options.Namespaces.Add("warmup");
        options.NamespaceRetention["warmup"] = warmupRetention;
        await using var server = await EmbeddedTemporalServer.StartAsync(options);
        var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(server.Address));
        var warmupClient = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(server.Address) { Namespace = "warmup" });
        var taskQueue = $"retention-{Guid.NewGuid():N}";
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue) { MaxConcurrentWorkflowTasks = 200 }.AddWorkflow<TrivialWorkflow>());
        using var warmupWorker = new TemporalWorker(warmupClient, new TemporalWorkerOptions(taskQueue).AddWorkflow<TrivialWorkflow>());
        using var stopWorker = new CancellationTokenSource();
        var workerRun = Task.WhenAll(worker.ExecuteAsync(stopWorker.Token), warmupWorker.ExecuteAsync(stopWorker.Token));

        Console.WriteLine($"Embedded Temporal server at {server.Address}; retention {retention.TotalSeconds:0} s; {workflows} trivial workflows, {concurrency} in flight.");
        await RunAsync(warmupClient, taskQueue, 500, concurrency);
        await WaitUntilDeletedAsync(server, warmupRetention);
        var baseline = Heap();

        var clock = Stopwatch.StartNew();
        await RunAsync(client, taskQueue, workflows, concurrency);
        var kept = server.RetainedRunCount;
        var withRuns = Heap();
        Console.WriteLine($"{workflows} workflows completed in {clock.Elapsed.TotalSeconds:0.0} s; {kept} runs kept by the server.");
        if (kept < workflows)
        {
            Console.Error.WriteLine($"warning: retention deleted runs before the measurement; give a --retention-seconds above {clock.Elapsed.TotalSeconds:0}");
        }

        await WaitUntilDeletedAsync(server, retention);
        var afterCleanup = Heap();

        await stopWorker.CancelAsync();
        try
        {
            await workerRun;
        }
        catch (OperationCanceledException)
        {
            // How ExecuteAsync ends when its token is cancelled.
        }

        double PerTenThousand(long bytes) => bytes / 1024.0 / 1024.0 * 10_000 / workflows;
        var before = PerTenThousand(withRuns - baseline);
        var after = PerTenThousand(afterCleanup - baseline);
        Console.WriteLine($"managed heap: baseline {Mb(baseline)}, with the runs kept {Mb(withRuns)}, after retention {Mb(afterCleanup)}");
        Console.WriteLine($"per 10,000 completed workflows: {before:0.0} MB while kept ({(withRuns - baseline) / Math.Max(1, kept):0} bytes a run), {after:0.0} MB after retention cleanup (bar: at most {BarMegabytesPer10KAfterCleanup} MB)");
        return after <= BarMegabytesPer10KAfterCleanup ? 0 : 1;
    }

    private static async Task RunAsync(TemporalClient client, string taskQueue, int count, int concurrency)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var runs = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await client.ExecuteWorkflowAsync((TrivialWorkflow wf) => wf.RunAsync($"lead {i}"), new WorkflowOptions($"trivial-{Guid.NewGuid():N}", taskQueue));
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(runs);
    }

    private static async Task WaitUntilDeletedAsync(EmbeddedTemporalServer server, TimeSpan retention)
    {
        var deadline = DateTime.UtcNow + retention + TimeSpan.FromMinutes(2);
        while (server.RetainedRunCount > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{server.RetainedRunCount} closed runs were still kept {retention.TotalSeconds:0} s after their retention");
            }

            await Task.Delay(250);
        }
    }

    private static long Heap()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:0.0} MB";
}

/// <summary>A workflow that returns its input: one workflow task, nothing else.</summary>
[Workflow]
public sealed class TrivialWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string input) => Task.FromResult(input);
}
