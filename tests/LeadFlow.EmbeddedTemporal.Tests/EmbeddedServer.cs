using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>
/// An embedded server of the test's own (for behaviour only it has: short retention, a fresh set of search
/// attributes), with a client and a worker per namespace.
/// </summary>
public sealed class EmbeddedServer : IAsyncDisposable
{
    private readonly List<(CancellationTokenSource Stop, Task Run)> _workers = [];

    private EmbeddedServer(EmbeddedTemporalServer server) => Server = server;

    public EmbeddedTemporalServer Server { get; }

    public string TaskQueue { get; } = $"own-server-{Guid.NewGuid():N}";

    public static async Task<EmbeddedServer> StartAsync(Action<EmbeddedTemporalOptions>? configure = null)
    {
        var options = new EmbeddedTemporalOptions { Port = 0, EnableWebUi = false };
        configure?.Invoke(options);
        return new EmbeddedServer(await EmbeddedTemporalServer.StartAsync(options));
    }

    public Task<TemporalClient> ConnectAsync(string @namespace = "default") =>
        TemporalClient.ConnectAsync(new TemporalClientConnectOptions(Server.Address) { Namespace = @namespace });

    /// <summary>Declares LeadOutcome and LeadStep (Keyword) in the namespace, as a worker does at start.</summary>
    public static Task DeclareLeadAttributesAsync(TemporalClient client) =>
        client.Connection.OperatorService.AddSearchAttributesAsync(new AddSearchAttributesRequest
        {
            Namespace = client.Options.Namespace,
            SearchAttributes = { ["LeadOutcome"] = IndexedValueType.Keyword, ["LeadStep"] = IndexedValueType.Keyword },
        });

    public void StartWorker(TemporalClient client, params Type[] workflows)
    {
        var options = new TemporalWorkerOptions(TaskQueue);
        foreach (var workflow in workflows)
        {
            options.AddWorkflow(workflow);
        }

        var stop = new CancellationTokenSource();
        _workers.Add((stop, new TemporalWorker(client, options).ExecuteAsync(stop.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (stop, run) in _workers)
        {
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
                // How ExecuteAsync ends when its token is cancelled.
            }

            stop.Dispose();
        }

        await Server.DisposeAsync();
    }
}
