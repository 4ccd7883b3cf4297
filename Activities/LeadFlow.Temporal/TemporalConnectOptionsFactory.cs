using LeadFlow.Temporal.Encryption;
using LeadFlow.Temporal.Tracing;
using Microsoft.Extensions.Logging;
using Temporalio.Client;

namespace LeadFlow.Temporal;

/// <summary>
/// Turns <see cref="TemporalOptions"/> into the SDK's connect options: address, namespace, API key, TLS/mTLS and the
/// data converter (<see cref="LeadFlowDataConverter"/>: payloads encrypted with the <c>LeadFlow__Encryption__*</c> keys,
/// failure messages and stack traces encoded), the trace context carried in Temporal headers
/// (<see cref="TemporalTracingInterceptor"/>) and, when the process's telemetry is on, the runtime that hands the SDK's
/// metrics to it (<see cref="TemporalTelemetryRuntime"/>). Every client of the product is made here, and a worker uses its
/// client's converter and runtime, so every payload any part of the product writes is encrypted the same way.
/// </summary>
public static partial class TemporalConnectOptionsFactory
{
    /// <param name="loggerFactory">The SDK's logs; also where the warning goes when payloads would travel unencrypted to a non-local server.</param>
    /// <exception cref="IOException">A configured certificate or key file cannot be read.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The encryption settings are wrong; the message names the variable.</exception>
    public static async Task<TemporalClientConnectOptions> CreateAsync(TemporalOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = EncryptionKeyRing.From(options.Encryption);
        var connect = new TemporalClientConnectOptions(options.Address)
        {
            Namespace = options.Namespace,
            Tls = await TlsAsync(options).ConfigureAwait(false),
            DataConverter = LeadFlowDataConverter.Create(keys),
            Interceptors = [new TemporalTracingInterceptor()],
            Runtime = TemporalTelemetryRuntime.Current,
        };
        if (loggerFactory is not null)
        {
            connect.LoggerFactory = loggerFactory;
            if (keys is null && !options.IsLocalAddress())
            {
                LogUnencrypted(loggerFactory.CreateLogger(typeof(TemporalConnectOptionsFactory)), options.Address);
            }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Temporal payloads are NOT encrypted: no LeadFlow__Encryption__ActiveKeyId or LeadFlow__Encryption__KeyFile is set, and Temporal at {Address} is not this machine. Leads' RUT, phone and mail will be stored there in plaintext; set the keys (README, Personal data).")]
    private static partial void LogUnencrypted(ILogger logger, string address);
}
