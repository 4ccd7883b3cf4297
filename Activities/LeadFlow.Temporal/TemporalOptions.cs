using System.Globalization;
using Microsoft.Extensions.Configuration;
using LeadFlow.Temporal.Encryption;
using Microsoft.Extensions.Options;

namespace LeadFlow.Temporal;

/// <summary>
/// The Temporal server, namespace and queue of lead workflows (configuration section <c>Temporal</c>); shared by
/// every host that connects: the worker, the ingress hosts (HTTP intake, SQS poller, Lambda), the CLI and the tests.
/// Bound and validated in one place (<see cref="Bind"/>, <c>AddLeadFlowTemporal</c>), so every host refuses the same
/// wrong settings with the same message.
/// </summary>
public sealed class TemporalOptions
{
    public const string Section = "Temporal";

    /// <summary><c>Temporal__Address</c>: host:port of the Temporal frontend.</summary>
    public string Address { get; set; } = "localhost:7233";

    /// <summary><c>Temporal__Namespace</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary><c>Temporal__TaskQueue</c>: the queue the lead-onboarding workers poll.</summary>
    public string TaskQueue { get; set; } = "lead-onboarding";

    /// <summary><c>Temporal__ApiKey</c>: Temporal Cloud API key; setting it turns TLS on.</summary>
    public string? ApiKey { get; set; }

    /// <summary><c>Temporal__RpcTimeoutSeconds</c>: how long one start, describe or query may take before Temporal counts as unreachable (1-300).</summary>
    public int RpcTimeoutSeconds { get; set; } = 10;

    public TemporalTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// The payload encryption keys, bound from <c>LeadFlow__Encryption__*</c> (not <c>Temporal__</c>: the codec server
    /// reads the same section) by <see cref="Bind"/> and <c>AddLeadFlowTemporal</c>. Empty: payloads are not encrypted.
    /// </summary>
    public PayloadEncryptionOptions Encryption { get; set; } = new();

    /// <summary>What is wrong with these settings, one sentence per problem naming the variable; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!IsHostAndPort(Address))
        {
            problems.Add("Temporal__Address must be host:port of the Temporal server, e.g. localhost:7233");
        }

        if (string.IsNullOrWhiteSpace(Namespace))
        {
            problems.Add("Temporal__Namespace must not be empty (default: default)");
        }

        if (string.IsNullOrWhiteSpace(TaskQueue))
        {
            problems.Add("Temporal__TaskQueue must not be empty (default: lead-onboarding)");
        }

        if (RpcTimeoutSeconds is < 1 or > 300)
        {
            problems.Add("Temporal__RpcTimeoutSeconds must be between 1 and 300 (default 10)");
        }

        foreach (var (variable, path) in new[] { ("ServerRootCaCertPath", Tls.ServerRootCaCertPath), ("ClientCertPath", Tls.ClientCertPath), ("ClientKeyPath", Tls.ClientKeyPath) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                problems.Add($"Temporal__Tls__{variable} names a file that does not exist: {path}");
            }
        }

        var hasCert = !string.IsNullOrWhiteSpace(Tls.ClientCertPath) || !string.IsNullOrWhiteSpace(Tls.ClientCert);
        var hasKey = !string.IsNullOrWhiteSpace(Tls.ClientKeyPath) || !string.IsNullOrWhiteSpace(Tls.ClientKey);
        if (hasCert != hasKey)
        {
            problems.Add("Temporal__Tls__ClientCertPath (or Temporal__Tls__ClientCert) and Temporal__Tls__ClientKeyPath (or Temporal__Tls__ClientKey) go together (mTLS needs both)");
        }

        foreach (var (name, path, content) in new[] { ("ClientCert", Tls.ClientCertPath, Tls.ClientCert), ("ClientKey", Tls.ClientKeyPath, Tls.ClientKey) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !string.IsNullOrWhiteSpace(content))
            {
                problems.Add($"Temporal__Tls__{name}Path and Temporal__Tls__{name} are both set: give the PEM as a file or as its text, not both");
            }
        }

        problems.AddRange(Encryption.Problems());
        return problems;
    }

    /// <summary>Binds the <c>Temporal</c> section (and <c>LeadFlow:Encryption</c>) for a host without dependency injection (Lambda, CLI verbs).</summary>
    /// <exception cref="OptionsValidationException">A setting is wrong; the message names the variable.</exception>
    public static TemporalOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<TemporalOptions>() ?? new TemporalOptions();
        options.Encryption = PayloadEncryptionOptions.Bind(configuration);
        var problems = options.Problems();
        return problems.Count == 0 ? options : throw new OptionsValidationException(Section, typeof(TemporalOptions), problems);
    }

    /// <summary>Whether <see cref="Address"/> is this machine (localhost, 127.0.0.1, ::1): a local run, where unencrypted payloads stay here.</summary>
    public bool IsLocalAddress()
    {
        var colon = Address.LastIndexOf(':');
        var host = (colon > 0 ? Address[..colon] : Address).Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host == "::1" || host.StartsWith("127.", StringComparison.Ordinal);
    }

    private static bool IsHostAndPort(string? address)
    {
        var colon = address?.LastIndexOf(':') ?? -1;
        return colon > 0 && int.TryParse(address![(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536;
    }
}

/// <summary>TLS to the Temporal frontend (section <c>Temporal:Tls</c>); mTLS for self-hosted or Cloud with certificates.</summary>
public sealed class TemporalTlsOptions
{
    /// <summary><c>Temporal__Tls__Enabled</c>: null = on when an API key or a client certificate is set.</summary>
    public bool? Enabled { get; set; }

    /// <summary><c>Temporal__Tls__ServerRootCaCertPath</c>: PEM file; empty = the system roots.</summary>
    public string? ServerRootCaCertPath { get; set; }

    /// <summary><c>Temporal__Tls__ClientCertPath</c>: PEM client certificate for mTLS.</summary>
    public string? ClientCertPath { get; set; }

    /// <summary><c>Temporal__Tls__ClientKeyPath</c>: PEM private key of the client certificate.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>
    /// <c>Temporal__Tls__ClientCert</c>: the PEM client certificate itself, instead of a file (the ingress Lambda reads it
    /// from the secret store: <c>Temporal__Tls__ClientCertSecretArn</c>).
    /// </summary>
    public string? ClientCert { get; set; }

    /// <summary><c>Temporal__Tls__ClientKey</c>: the PEM private key itself, instead of a file (<c>Temporal__Tls__ClientKeySecretArn</c> on Lambda).</summary>
    public string? ClientKey { get; set; }

    /// <summary><c>Temporal__Tls__Domain</c>: server name to verify, when it differs from the address.</summary>
    public string? Domain { get; set; }
}
