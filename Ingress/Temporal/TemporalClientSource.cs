using Microsoft.Extensions.Logging;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Temporal;

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
        var connect = new TemporalClientConnectOptions(Options.Address)
        {
            Namespace = Options.Namespace,
            Tls = await TlsAsync(),
        };
        if (loggerFactory is not null)
        {
            connect.LoggerFactory = loggerFactory;
        }

        if (!string.IsNullOrWhiteSpace(Options.ApiKey))
        {
            connect.ApiKey = Options.ApiKey;
        }

        try
        {
            return await TemporalClient.ConnectAsync(connect);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException or IOException)
        {
            throw new TemporalUnavailableException($"Temporal at {Options.Address} (namespace {Options.Namespace}) could not be reached: {e.Message}", e);
        }
    }

    private async Task<TlsOptions?> TlsAsync()
    {
        var tls = Options.Tls;
        var hasClientCert = !string.IsNullOrWhiteSpace(tls.ClientCertPath);
        var enabled = tls.Enabled ?? (!string.IsNullOrWhiteSpace(Options.ApiKey) || hasClientCert);
        if (!enabled)
        {
            return null;
        }

        return new TlsOptions
        {
            ServerRootCACert = await ReadOptionalAsync(tls.ServerRootCaCertPath),
            ClientCert = await ReadOptionalAsync(tls.ClientCertPath),
            ClientPrivateKey = await ReadOptionalAsync(tls.ClientKeyPath),
            Domain = string.IsNullOrWhiteSpace(tls.Domain) ? null : tls.Domain,
        };
    }

    private static async Task<byte[]?> ReadOptionalAsync(string? path) =>
        string.IsNullOrWhiteSpace(path) ? null : await File.ReadAllBytesAsync(path);
}
