using LeadFlow.Temporal;
using Microsoft.Extensions.Logging;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Starting;

/// <summary>
/// One Temporal client per process, connected on first use and kept (a Lambda container reuses
/// it across invocations). A failed connection is not remembered: the next call tries again.
/// </summary>
public sealed class TemporalClientSource(TemporalOptions options, ILoggerFactory? loggerFactory = null)
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ITemporalClient? _client;

    public TemporalOptions Options { get; } = options;

    /// <summary>Wraps an already connected client (tests, or a host that owns the connection).</summary>
    public static TemporalClientSource For(ITemporalClient client, string taskQueue) =>
        new(new TemporalOptions { Address = "(given)", Namespace = client.Options.Namespace, TaskQueue = taskQueue }) { _client = client };

    /// <exception cref="TemporalUnavailableException">The connection could not be made.</exception>
    public async Task<ITemporalClient> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_client is { } ready)
        {
            return ready;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            _client ??= await ConnectAsync();
            return _client;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<ITemporalClient> ConnectAsync()
    {
        try
        {
            return await TemporalClient.ConnectAsync(await TemporalConnectOptionsFactory.CreateAsync(Options, loggerFactory));
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException or IOException)
        {
            throw new TemporalUnavailableException($"Temporal at {Options.Address} (namespace {Options.Namespace}) could not be reached: {e.Message}", e);
        }
    }
}
