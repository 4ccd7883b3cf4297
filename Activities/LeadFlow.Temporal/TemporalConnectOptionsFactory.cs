using Microsoft.Extensions.Logging;
using Temporalio.Client;

namespace LeadFlow.Temporal;

/// <summary>Turns <see cref="TemporalOptions"/> into the SDK's connect options: address, namespace, API key and TLS/mTLS.</summary>
public static class TemporalConnectOptionsFactory
{
    /// <exception cref="IOException">A configured certificate or key file cannot be read.</exception>
    public static async Task<TemporalClientConnectOptions> CreateAsync(TemporalOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connect = new TemporalClientConnectOptions(options.Address)
        {
            Namespace = options.Namespace,
            Tls = await TlsAsync(options).ConfigureAwait(false),
        };
        if (loggerFactory is not null)
        {
            connect.LoggerFactory = loggerFactory;
        }

        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            connect.ApiKey = options.ApiKey;
        }

        return connect;
    }

    private static async Task<TlsOptions?> TlsAsync(TemporalOptions options)
    {
        var tls = options.Tls;
        var hasClientCert = !string.IsNullOrWhiteSpace(tls.ClientCertPath) || !string.IsNullOrWhiteSpace(tls.ClientCert);
        var enabled = tls.Enabled ?? (!string.IsNullOrWhiteSpace(options.ApiKey) || hasClientCert);
        if (!enabled)
        {
            return null;
        }

        return new TlsOptions
        {
            ServerRootCACert = await ReadOptionalAsync(tls.ServerRootCaCertPath).ConfigureAwait(false),
            ClientCert = Pem(tls.ClientCert) ?? await ReadOptionalAsync(tls.ClientCertPath).ConfigureAwait(false),
            ClientPrivateKey = Pem(tls.ClientKey) ?? await ReadOptionalAsync(tls.ClientKeyPath).ConfigureAwait(false),
            Domain = string.IsNullOrWhiteSpace(tls.Domain) ? null : tls.Domain,
        };
    }

    private static byte[]? Pem(string? text) => string.IsNullOrWhiteSpace(text) ? null : System.Text.Encoding.UTF8.GetBytes(text);

    private static async Task<byte[]?> ReadOptionalAsync(string? path) =>
        string.IsNullOrWhiteSpace(path) ? null : await File.ReadAllBytesAsync(path).ConfigureAwait(false);
}
