using LeadFlow.EmbeddedTemporal.Executions;
using LeadFlow.EmbeddedTemporal.Grpc;
using LeadFlow.EmbeddedTemporal.Namespaces;
using LeadFlow.EmbeddedTemporal.TaskQueues;
using LeadFlow.EmbeddedTemporal.Timers;

namespace LeadFlow.EmbeddedTemporal;

/// <summary>Everything the handlers share: the in-memory stores, the task queues and the one timer scheduler.</summary>
internal sealed class ServerState : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public ServerState(EmbeddedTemporalOptions options)
    {
        Options = options;
        Namespaces = new NamespaceRegistry(options);
    }

    public EmbeddedTemporalOptions Options { get; }

    public NamespaceRegistry Namespaces { get; }

    public ExecutionStore Executions { get; } = new();

    public TaskQueueRegistry Queues { get; } = new();

    public TimerScheduler Timers { get; } = new();

    public RpcMetrics Metrics { get; } = new();

    /// <summary>Fires when the server stops, so held long polls answer at once.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void Stop() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        Timers.Dispose();
    }
}
