using LeadFlow.Crm.Backend.Configuration;
using Microsoft.Extensions.Configuration;

namespace LeadFlow.Cli.Configuration;

/// <summary>
/// Everything one local stack needs, resolved from <see cref="LocalRunOptions"/>, the shared service settings
/// (<c>ConnectionStrings__Crm</c>, <c>Crm__ApiKey</c>, <c>Crm__ReadApiKey</c>, <c>Temporal__Namespace</c>, <c>Temporal__TaskQueue</c>, <c>Ingress__ApiKey</c>)
/// and the verb's defaults.
/// </summary>
public sealed record StackSettings
{
    public required LocalRunOptions Run { get; init; }

    /// <summary>The configuration the stack's services also read (<c>Worker__*</c>, <c>LeadEvents__*</c>, ...).</summary>
    public required IConfiguration Configuration { get; init; }

    /// <summary><c>ConnectionStrings__Crm</c>: an existing PostgreSQL instead of the private one.</summary>
    public string? ConnectionString { get; init; }

    /// <summary><c>Crm__ApiKey</c>, the backend's write key (the worker's); default the documented local key.</summary>
    public string ApiKey { get; init; } = CrmOptions.LocalDefaultApiKey;

    /// <summary><c>Crm__ReadApiKey</c>, the backend's read key (people and the CLI's verbs); default the documented local read key.</summary>
    public string ReadApiKey { get; init; } = CrmOptions.LocalDefaultReadApiKey;

    /// <summary><c>Ingress__ApiKey</c>: when set, the intake (and the web form's requests) need it.</summary>
    public string? IntakeApiKey { get; init; }

    public string Namespace { get; init; } = "default";

    public string TaskQueue { get; init; } = Workflows.LeadOnboardingWorkflow.DefaultTaskQueue;

    /// <summary>Delete the private PostgreSQL's data when the stack stops.</summary>
    public bool TemporaryData { get; init; }

    public required string DataDirectory { get; init; }

    public int TemporalPort { get; init; }

    public int BackendPort { get; init; }

    public int IntakePort { get; init; }

    /// <summary>
    /// Start the Aspire dashboard (<see cref="LocalRunOptions.Dashboard"/>), unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names
    /// a collector already: then every part exports there.
    /// </summary>
    public bool Dashboard { get; init; }

    /// <summary>The dashboard UI's port (0: a free one).</summary>
    public int DashboardPort { get; init; }

    /// <summary>The codec server's port (0: a free one).</summary>
    public int CodecPort { get; init; }

    /// <summary>Where the local payload encryption key is kept: beside the PostgreSQL data (<see cref="Hosting.LocalEncryptionKeys"/>).</summary>
    public string KeyDirectory => Path.GetDirectoryName(Path.GetFullPath(DataDirectory)) ?? ".leadflow";

    /// <summary>The settings of <c>up</c> (fixed ports, kept data) or of <c>demo</c> (free ports, temporary data).</summary>
    public static StackSettings For(IConfiguration configuration, LocalRunOptions run, bool demo)
    {
        var dataDirectory = run.DataDirectory;
        var temporary = demo && string.IsNullOrWhiteSpace(dataDirectory);
        if (temporary)
        {
            // Its own parent folder: the private cluster hands the data directory's parent to the postgres user.
            dataDirectory = Path.Combine(Path.GetTempPath(), $"leadflow-demo-{Guid.NewGuid():N}"[..24], "pgdata");
        }

        return new StackSettings
        {
            Run = run,
            Configuration = configuration,
            ConnectionString = NonEmpty(configuration.GetConnectionString("Crm")),
            ApiKey = NonEmpty(configuration["Crm:ApiKey"]) ?? CrmOptions.LocalDefaultApiKey,
            ReadApiKey = NonEmpty(configuration["Crm:ReadApiKey"]) ?? CrmOptions.LocalDefaultReadApiKey,
            IntakeApiKey = NonEmpty(configuration["Ingress:ApiKey"]),
            Namespace = NonEmpty(configuration["Temporal:Namespace"]) ?? "default",
            TaskQueue = NonEmpty(configuration["Temporal:TaskQueue"]) ?? Workflows.LeadOnboardingWorkflow.DefaultTaskQueue,
            TemporaryData = temporary,
            DataDirectory = string.IsNullOrWhiteSpace(dataDirectory) ? Path.Combine(".leadflow", "pgdata") : dataDirectory,
            TemporalPort = run.TemporalPort ?? (demo ? 0 : 7233),
            BackendPort = run.BackendPort ?? (demo ? 0 : 5080),
            IntakePort = run.IntakePort ?? (demo ? 0 : 5090),
            CodecPort = run.CodecPort ?? (demo ? 0 : 5091),
            Dashboard = run.Dashboard,
            DashboardPort = run.DashboardPort ?? (demo ? 0 : 18888),
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
