using System.ComponentModel.DataAnnotations;

namespace LeadFlow.Activities.Temporal;

/// <summary>
/// The Temporal server, namespace and queue of lead workflows (configuration section <c>Temporal</c>); shared by
/// every host that connects: the worker and the ingress hosts (HTTP intake, SQS poller, Lambda, redrive).
/// </summary>
public sealed class TemporalOptions
{
    public const string Section = "Temporal";

    /// <summary><c>Temporal__Address</c>: host:port of the Temporal frontend.</summary>
    [Required]
    public string Address { get; set; } = "localhost:7233";

    /// <summary><c>Temporal__Namespace</c>.</summary>
    [Required]
    public string Namespace { get; set; } = "default";

    /// <summary><c>Temporal__TaskQueue</c>: the queue the lead-onboarding workers poll.</summary>
    [Required]
    public string TaskQueue { get; set; } = "lead-onboarding";

    /// <summary><c>Temporal__ApiKey</c>: Temporal Cloud API key; setting it turns TLS on.</summary>
    public string? ApiKey { get; set; }

    /// <summary><c>Temporal__RpcTimeoutSeconds</c>: how long one start, describe or query may take before Temporal counts as unreachable.</summary>
    [Range(1, 300)]
    public int RpcTimeoutSeconds { get; set; } = 10;

    public TemporalTlsOptions Tls { get; set; } = new();
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

    /// <summary><c>Temporal__Tls__Domain</c>: server name to verify, when it differs from the address.</summary>
    public string? Domain { get; set; }
}
