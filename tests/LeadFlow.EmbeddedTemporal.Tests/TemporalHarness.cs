using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using LeadFlow.Temporal;
using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using Temporalio.Client;
using Temporalio.Worker;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>A client and a worker on a task queue of its own, for one test; replays every history it started.</summary>
public sealed class TemporalHarness : IAsyncDisposable
{
    private readonly List<WorkflowHandle> _started = [];
    private TemporalWorker? _worker;
    private Task? _workerRun;
    private CancellationTokenSource? _workerStop;

    private TemporalHarness(TemporalClient client, string taskQueue)
    {
        Client = client;
        TaskQueue = taskQueue;
    }

    public TemporalClient Client { get; }

    public string TaskQueue { get; }

    public ConformanceActivities Activities { get; } = new();

    public static async Task<TemporalHarness> StartAsync(Action<TemporalWorkerOptions>? configure = null, bool startWorker = true)
    {
        var server = await TestTemporal.GetAsync();
        // These tests check the server as the SDK sees it (failure messages, payloads), so the harness's client does not
        // encrypt: the product's payload codec is tested with the product (tests/LeadFlow.Workflows.Tests).
        var plaintext = server.Options;
        plaintext.Encryption = new PayloadEncryptionOptions();
        var client = await TemporalClient.ConnectAsync(await TemporalConnectOptionsFactory.CreateAsync(plaintext));
        var harness = new TemporalHarness(client, $"conformance-{Guid.NewGuid():N}");
        if (startWorker)
        {
            harness.StartWorker(configure);
        }

        return harness;
    }

    public TemporalWorkerOptions WorkerOptions(Action<TemporalWorkerOptions>? configure = null)
    {
        var options = new TemporalWorkerOptions(TaskQueue).AddAllActivities(Activities);
        foreach (var workflow in new[]
        {
            typeof(ActivityThenTimerWorkflow), typeof(RetryingActivityWorkflow), typeof(RetryDelayWorkflow), typeof(TimingOutActivityWorkflow), typeof(TimerOrderWorkflow),
            typeof(SignalCollectorWorkflow), typeof(LongActivityWorkflow), typeof(OutcomeWorkflow), typeof(CountdownWorkflow), typeof(StepsWorkflow),
        })
        {
            options.AddWorkflow(workflow);
        }

        configure?.Invoke(options);
        return options;
    }

    public void StartWorker(Action<TemporalWorkerOptions>? configure = null)
    {
        _worker = new TemporalWorker(Client, WorkerOptions(configure));
        _workerStop = new CancellationTokenSource();
        _workerRun = _worker.ExecuteAsync(_workerStop.Token);
    }

    public async Task StopWorkerAsync()
    {
        if (_workerStop is null || _workerRun is null)
        {
            return;
        }

        await _workerStop.CancelAsync();
        try
        {
            await _workerRun;
        }
        catch (OperationCanceledException)
        {
            // ExecuteAsync ends this way when its token is cancelled.
        }

        _worker!.Dispose();
        _workerStop.Dispose();
        _worker = null;
        _workerRun = null;
        _workerStop = null;
    }

    public WorkflowOptions Options(string? id = null) => new(id ?? $"wf-{Guid.NewGuid():N}", TaskQueue);

    public T Track<T>(T handle)
        where T : WorkflowHandle
    {
        lock (_started)
        {
            _started.Add(handle);
        }

        return handle;
    }

    /// <summary>Every history this harness tracked must replay without a non-determinism error.</summary>
    public async Task AssertAllReplayAsync()
    {
        // The same data converter as the client that wrote the histories (payloads encrypted with the fixture key).
        var replayerOptions = new WorkflowReplayerOptions { DataConverter = Client.Options.DataConverter };
        foreach (var workflow in WorkerOptions().Workflows)
        {
            replayerOptions.Workflows.Add(workflow);
        }

        var replayer = new WorkflowReplayer(replayerOptions);

        List<WorkflowHandle> handles;
        lock (_started)
        {
            handles = [.. _started];
        }

        foreach (var handle in handles)
        {
            var history = await handle.FetchHistoryAsync();
            var result = await replayer.ReplayWorkflowAsync(history, throwOnReplayFailure: false);
            Assert.True(result.ReplayFailure is null, $"{handle.Id} failed to replay: {result.ReplayFailure}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync();
    }
}
