using System.Diagnostics;
using System.Globalization;
using LeadFlow.EmbeddedTemporal;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace LeadFlow.Benchmarks;

/// <summary>
/// Workflows of four no-op activities against the embedded Temporal server, worker in process. Prints
/// workflows/s, start-to-close latency percentiles, and where the CPU went (server handlers vs the rest
/// of the process: SDK worker, client, gRPC/HTTP2 stack). Bar: 150 workflows/s.
/// </summary>
public sealed class TemporalBenchmark : IBenchmark
{
    private const double BarWorkflowsPerSecond = 150;

    public string Name => "temporal";

    public string Description => "embedded Temporal server: workflows of 4 no-op activities [--workflows 2000] [--concurrency 200] [--warmup 200]";

    public async Task<int> RunAsync(string[] args)
    {
        var workflows = BenchmarkArgs.PositiveInt(args, "--workflows", 2000);
        var concurrency = BenchmarkArgs.PositiveInt(args, "--concurrency", 200);
        var warmup = BenchmarkArgs.PositiveInt(args, "--warmup", 200);
        var polls = BenchmarkArgs.PositiveInt(args, "--polls", 8);

        await using var server = await EmbeddedTemporalServer.StartAsync(new EmbeddedTemporalOptions { Port = 0 });
        var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(server.Address));
        var taskQueue = $"benchmark-{Guid.NewGuid():N}";
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue)
        {
            MaxConcurrentWorkflowTasks = 200,
            MaxConcurrentActivities = 200,
            MaxConcurrentWorkflowTaskPolls = polls,
            MaxConcurrentActivityTaskPolls = polls,
        }.AddAllActivities(new NoOpActivities()).AddWorkflow<FourStepsWorkflow>());
        using var stopWorker = new CancellationTokenSource();
        var workerRun = worker.ExecuteAsync(stopWorker.Token);

        Console.WriteLine($"Embedded Temporal server at {server.Address}; warm-up {warmup} workflows, then {workflows} with {concurrency} in flight.");
        await RunBatchAsync(client, taskQueue, warmup, concurrency);

        server.Metrics.Reset();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var latencies = await RunBatchAsync(client, taskQueue, workflows, concurrency);
        clock.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;

        await stopWorker.CancelAsync();
        try
        {
            await workerRun;
        }
        catch (OperationCanceledException)
        {
            // The worker stops this way.
        }

        var throughput = workflows / clock.Elapsed.TotalSeconds;
        latencies.Sort();
        Console.WriteLine();
        Console.WriteLine($"completed workflows/s : {throughput,10:F1}   (bar {BarWorkflowsPerSecond})");
        Console.WriteLine($"latency p50 / p99 (ms): {Stats.Percentile(latencies, 50),10:F1} / {Stats.Percentile(latencies, 99):F1}   (start call to result)");
        PrintWhereTimeGoes(server, clock.Elapsed, cpu);

        if (throughput < BarWorkflowsPerSecond)
        {
            Console.WriteLine($"FAILED: {throughput:F1} workflows/s is below the bar of {BarWorkflowsPerSecond}.");
            return 1;
        }

        return 0;
    }

    private static async Task<List<double>> RunBatchAsync(TemporalClient client, string taskQueue, int count, int concurrency)
    {
        using var slots = new SemaphoreSlim(concurrency);
        var latencies = new double[count];
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await slots.WaitAsync();
            try
            {
                var started = Stopwatch.GetTimestamp();
                var handle = await client.StartWorkflowAsync((FourStepsWorkflow wf) => wf.RunAsync(), new WorkflowOptions($"bench-{Guid.NewGuid():N}", taskQueue));
                await handle.GetResultAsync();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            finally
            {
                slots.Release();
            }
        }));
        return [.. latencies];
    }

    /// <summary>
    /// Handler time excludes time parked in long polls. Handler time is wall time inside the server's code
    /// (including lock waits), so it is an upper bound on the server's CPU share.
    /// </summary>
    private static void PrintWhereTimeGoes(EmbeddedTemporalServer server, TimeSpan elapsed, TimeSpan processCpu)
    {
        var stats = server.Metrics.Snapshot();
        var handlerTime = TimeSpan.FromTicks(stats.Sum(s => s.Busy.Ticks));
        Console.WriteLine();
        Console.WriteLine($"{"gRPC method",-36} {"calls",8} {"busy ms",10} {"avg us",8} {"long-poll wait s",17}");
        foreach (var row in stats)
        {
            var average = row.Calls == 0 ? 0 : row.Busy.TotalMicroseconds / row.Calls;
            Console.WriteLine($"{row.Method,-36} {row.Calls,8} {row.Busy.TotalMilliseconds,10:F0} {average,8:F0} {row.Waiting.TotalSeconds,17:F1}");
        }

        var available = elapsed.TotalMilliseconds * Environment.ProcessorCount;
        Console.WriteLine();
        Console.WriteLine($"wall time                  : {elapsed.TotalSeconds:F2} s on {Environment.ProcessorCount} cores ({available / 1000:F1} core-s available)");
        Console.WriteLine($"process CPU                : {processCpu.TotalSeconds:F2} s ({100 * processCpu.TotalMilliseconds / available:F0}% of available)");
        Console.WriteLine($"server handler time        : {handlerTime.TotalSeconds:F2} s ({100 * handlerTime.TotalMilliseconds / Math.Max(1, processCpu.TotalMilliseconds):F0}% of process CPU, upper bound)");
        Console.WriteLine("the rest of the process CPU : SDK worker + client (Rust core, .NET workflow runtime), gRPC/HTTP2 on both sides");
    }

}

/// <summary>The benchmark's workflow: four no-op activities in a row.</summary>
[Workflow]
public sealed class FourStepsWorkflow
{
    [WorkflowRun]
    public async Task RunAsync()
    {
        for (var step = 0; step < 4; step++)
        {
            await Workflow.ExecuteActivityAsync((NoOpActivities a) => a.NoOp(), new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) });
        }
    }
}

/// <summary>An activity that does nothing, so the benchmark measures orchestration only.</summary>
public sealed class NoOpActivities
{
    [Activity]
    public Task NoOp() => Task.CompletedTask;
}
