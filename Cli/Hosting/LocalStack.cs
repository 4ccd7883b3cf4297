using System.Globalization;
using System.Security.Cryptography;
using LeadFlow.Cli.Configuration;
using LeadFlow.Ingress.Codec;
using LeadFlow.Crm.Backend;
using LeadFlow.Crm.Backend.LocalDatabase;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.Hosting.Web;
using LeadFlow.Ingress.Http;
using LeadFlow.Temporal.Encryption;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Cli.Hosting;

/// <summary>
/// The whole product in this process: PostgreSQL (private cluster or <c>ConnectionStrings__Crm</c>), a Temporal
/// server (<see cref="TemporalLocator"/>), the CRM backend, the worker, the HTTP intake with the web form and the codec
/// server for the Temporal Web UI, all on 127.0.0.1, every Temporal payload encrypted (<see cref="LocalEncryptionKeys"/>).
/// Stopped in reverse order by <see cref="DisposeAsync"/>.
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    private readonly List<Func<ValueTask>> stops = [];

    private LocalStack(StackSettings settings, LogBuffer logs)
    {
        Settings = settings;
        Logs = logs;
    }

    public StackSettings Settings { get; }

    public LogBuffer Logs { get; }

    /// <summary>Where the CRM data lives, in words.</summary>
    public string Database { get; private set; } = "";

    public TemporalEndpoint Temporal { get; private set; } = null!;

    public Uri BackendUrl { get; private set; } = null!;

    public Uri IntakeUrl { get; private set; } = null!;

    /// <summary>The codec server's endpoint (<c>.../codec</c>), which the Temporal Web UI decodes payloads with.</summary>
    public Uri CodecUrl { get; private set; } = null!;

    /// <summary>A one-time link that lets one browser read decrypted payloads in the Web UI (a session cookie of the codec server).</summary>
    public Uri CodecSignInLink { get; private set; } = null!;

    /// <summary>The payload encryption settings every part of the stack got (<c>LeadFlow:Encryption:*</c>).</summary>
    private Dictionary<string, string?> encryption = [];

    /// <summary>The Aspire dashboard every part sends its telemetry to; null with <c>--no-dashboard</c> or when it could not start.</summary>
    public LocalDashboard? Dashboard { get; private set; }

    /// <summary>Where every part exports traces, metrics and logs (the dashboard's OTLP/gRPC endpoint, or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); null: nowhere.</summary>
    public string? OtlpEndpoint { get; private set; }

    /// <summary>The backend's services (its database context, for the row counts).</summary>
    public IServiceProvider BackendServices { get; private set; } = null!;

    /// <param name="report">Called once per started part: (part, what it is).</param>
    /// <param name="backendPipeline">Runs in the backend's pipeline before authentication: the demo's fault hook.</param>
    public static async Task<LocalStack> StartAsync(
        StackSettings settings, LogBuffer logs, Action<string, string> report, Action<WebApplication>? backendPipeline, CancellationToken cancellationToken)
    {
        var stack = new LocalStack(settings, logs);
        try
        {
            await stack.StartPartsAsync(report, backendPipeline, cancellationToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartPartsAsync(Action<string, string> report, Action<WebApplication>? backendPipeline, CancellationToken cancellationToken)
    {
        report("Telemetry", await StartTelemetryAsync(cancellationToken));
        var connectionString = await StartDatabaseAsync(cancellationToken);
        report("PostgreSQL", Database);

        report("Encryption", UseEncryptionKeys());
        var codecPort = TemporalLocator.FreeOr(Settings.CodecPort);
        CodecUrl = new Uri($"{Url(codecPort)}/codec");

        var notes = new List<string>();
        Temporal = await new TemporalLocator(Settings.Run, Settings.Namespace, notes.Add).LocateAsync(Settings.TemporalPort, CodecUrl, cancellationToken);
        if (Temporal.Owned is { } server)
        {
            stops.Add(server.DisposeAsync);
        }

        var skipped = notes.Count == 0 ? "" : $" (skipped: {string.Join("; ", notes)})";
        report("Temporal", $"{Temporal.Source} at {Temporal.Address}{skipped}");

        var backend = CrmBackendApp.Build(
            ["--urls", Url(Settings.BackendPort), "--environment", "Production"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["ConnectionStrings:Crm"] = connectionString,
                    // Local mode, explicitly: this stack runs on one developer machine, so the documented local keys are fine.
                    ["Crm:LocalMode"] = "true",
                    ["Crm:ApiKey"] = Settings.ApiKey,
                    ["Crm:ReadApiKey"] = Settings.ReadApiKey,
                    ["Crm:MigrateOnStart"] = "true",
                });
                UseLogs(builder.Logging);
            },
            backendPipeline);
        BackendUrl = await StartAppAsync(backend, cancellationToken);
        BackendServices = backend.Services;
        report("CRM backend", $"{BackendUrl} (OpenAPI page {new Uri(BackendUrl, "scalar")})");

        var workerBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = "Production", DisableDefaults = true });
        workerBuilder.Configuration.AddConfiguration(Settings.Configuration);
        workerBuilder.Configuration.AddInMemoryCollection(ServiceSettings(new Dictionary<string, string?>
        {
            ["Crm:BaseUrl"] = BackendUrl.ToString(),
            ["Crm:ApiKey"] = Settings.ApiKey,
            ["Worker:GracefulShutdownTimeout"] = "00:00:05",
        }));
        UseLogs(workerBuilder.Logging);
        workerBuilder.Services.AddLeadOnboardingWorker(workerBuilder.Configuration);
        var worker = workerBuilder.Build();
        await worker.StartAsync(cancellationToken);
        stops.Add(async () =>
        {
            await worker.StopAsync(CancellationToken.None);
            worker.Dispose();
        });
        report("Worker", $"task queue {Settings.TaskQueue}, namespace {Settings.Namespace}");

        var intake = IngressApp.Build(
            ["--urls", Url(Settings.IntakePort), "--environment", "Production"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(ServiceSettings(new Dictionary<string, string?>
                {
                    ["Ingress:ApiKey"] = Settings.IntakeApiKey,
                }));
                UseLogs(builder.Logging);
            });
        IntakeUrl = await StartAppAsync(intake, cancellationToken);
        report("HTTP intake", $"{IntakeUrl} (web form {IntakeUrl})");

        await StartCodecServerAsync(codecPort, cancellationToken);
        report("Codec server", $"{CodecUrl} (the Temporal Web UI decrypts payloads through it)");
    }

    /// <summary>
    /// The Aspire dashboard (unless <c>--no-dashboard</c>, or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector) and one
    /// telemetry set-up for the whole process: every part runs here, so one set of providers sees them all (one per part
    /// would export each span once per part). Returns what to report. A dashboard that cannot start is reported, not fatal.
    /// </summary>
    private async Task<string> StartTelemetryAsync(CancellationToken cancellationToken)
    {
        if (LeadFlowTelemetry.SettingsProblem(Settings.Configuration) is { } problem)
        {
            throw new OptionsException(problem);
        }

        OtlpEndpoint = Settings.Configuration[LeadFlowTelemetry.EndpointVariable] is { Length: > 0 } configured ? configured : null;
        var note = "";
        if (OtlpEndpoint is null && Settings.Dashboard)
        {
            try
            {
                Dashboard = await LocalDashboard.StartAsync(Settings.Run.DashboardPath, Settings.DashboardPort, cancellationToken);
                stops.Add(Dashboard.DisposeAsync);
                OtlpEndpoint = DashboardEndpoint(Settings.Configuration, Dashboard.OtlpGrpcUrl, Dashboard.OtlpHttpUrl);
            }
            catch (DashboardUnavailableException e)
            {
                note = $" (no dashboard: {e.Message})";
            }
        }

        if (OtlpEndpoint is null)
        {
            return Settings.Dashboard ? $"off{note}" : "off (--no-dashboard; set OTEL_EXPORTER_OTLP_ENDPOINT to send it elsewhere)";
        }

        var configuration = new ConfigurationBuilder()
            .AddConfiguration(Settings.Configuration)
            .AddInMemoryCollection(new Dictionary<string, string?> { [LeadFlowTelemetry.EndpointVariable] = OtlpEndpoint })
            .Build();
        var (telemetry, started) = LeadFlowTelemetry.StartOrShareProcessWide(configuration, "leadflow", builder => WebTelemetry.AddAspNetCore(builder));
        if (!started)
        {
            // Another stack of this process (tests) set it up: its parts export there, and it stops with that stack.
            return $"shared with another stack in this process{note}";
        }

        if (telemetry is not null)
        {
            stops.Add(() =>
            {
                telemetry.Flush(2000);
                telemetry.Dispose();
                return ValueTask.CompletedTask;
            });
        }

        return Dashboard is { } dashboard
            ? $"traces, metrics and logs to the Aspire dashboard {dashboard.Url} (OTLP {OtlpEndpoint})"
            : $"traces, metrics and logs to {OtlpEndpoint} (OTEL_EXPORTER_OTLP_ENDPOINT)";
    }

    /// <summary>
    /// The keys the stack encrypts payloads with: <c>LeadFlow__Encryption__*</c> when set, else the local key file,
    /// made on first use beside the local data. Returns what to report.
    /// </summary>
    private string UseEncryptionKeys()
    {
        var section = Settings.Configuration.GetSection(PayloadEncryptionOptions.Section);
        if (PayloadEncryptionOptions.Bind(Settings.Configuration).IsConfigured)
        {
            encryption = section.AsEnumerable().Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value);
            return "payloads encrypted with the keys of LeadFlow__Encryption__*";
        }

        var (path, created) = LocalEncryptionKeys.Ensure(Settings.KeyDirectory);
        encryption = new Dictionary<string, string?> { [$"{PayloadEncryptionOptions.Section}:{nameof(PayloadEncryptionOptions.KeyFile)}"] = path };
        return $"payloads encrypted with the local key in {path} ({(created ? "made now" : "kept from an earlier run")}; never commit it)";
    }

    /// <summary>
    /// The codec server, for the Web UI only: its origin may call, with the session cookie of a one-time sign-in link
    /// (the UI sends no token to a plain-HTTP endpoint). The access token is this run's own and is never shown.
    /// </summary>
    private async Task StartCodecServerAsync(int port, CancellationToken cancellationToken)
    {
        var settings = ServiceSettings(new Dictionary<string, string?>
        {
            ["Codec:AccessTokens:leadflow-cli"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
            ["Codec:SignInLinks"] = "true",
        });
        if (Temporal.WebUiUrl is { } ui)
        {
            // The UI's origin is whichever host name the person typed.
            settings["Codec:AllowedOrigins:0"] = $"http://127.0.0.1:{ui.Port.ToString(CultureInfo.InvariantCulture)}";
            settings["Codec:AllowedOrigins:1"] = $"http://localhost:{ui.Port.ToString(CultureInfo.InvariantCulture)}";
        }

        var codec = CodecServerApp.Build(
            ["--urls", Url(port), "--environment", "Production"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                UseLogs(builder.Logging);
            });
        await StartAppAsync(codec, cancellationToken);
        CodecSignInLink = codec.Services.GetRequiredService<CodecCallers>().CreateSignInLink(CodecUrl);
    }

    private async Task<string> StartDatabaseAsync(CancellationToken cancellationToken)
    {
        if (Settings.ConnectionString is { } configured)
        {
            Database = "ConnectionStrings__Crm";
            return configured;
        }

        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Settings.DataDirectory, Temporary: Settings.TemporaryData), logger: null, cancellationToken);
        stops.Add(() =>
        {
            cluster.Stop();
            if (Settings.TemporaryData && Path.GetDirectoryName(cluster.DataDirectory) is { } parent && Directory.Exists(parent))
            {
                Directory.Delete(parent, recursive: true);
            }

            return ValueTask.CompletedTask;
        });
        await cluster.EnsureDatabaseAsync(LocalModeSetup.DatabaseName, cancellationToken);
        var kind = Settings.TemporaryData ? "private cluster, temporary data (fresh every run)" : "private cluster";
        Database = $"{kind} in {cluster.DataDirectory}, 127.0.0.1:{cluster.Port.ToString(CultureInfo.InvariantCulture)}";
        return cluster.ConnectionStringFor(LocalModeSetup.DatabaseName);
    }

    private Dictionary<string, string?> ServiceSettings(Dictionary<string, string?> settings)
    {
        settings["Temporal:Address"] = Temporal.Address;
        settings["Temporal:Namespace"] = Settings.Namespace;
        settings["Temporal:TaskQueue"] = Settings.TaskQueue;
        foreach (var (key, value) in encryption)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// The local dashboard's OTLP endpoint for the transport <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> names: its OTLP/HTTP port
    /// for <c>http/protobuf</c>, else its OTLP/gRPC port (the exporters' default). Sending one transport to the other's port
    /// loses everything without an error.
    /// </summary>
    public static string DashboardEndpoint(IConfiguration configuration, Uri otlpGrpc, Uri otlpHttp)
    {
        ArgumentNullException.ThrowIfNull(otlpGrpc);
        ArgumentNullException.ThrowIfNull(otlpHttp);
        return (LeadFlowTelemetry.UsesHttpProtobuf(configuration) ? otlpHttp : otlpGrpc).GetLeftPart(UriPartial.Authority);
    }

    private void UseLogs(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddProvider(Logs);
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // EF logs its first look for the migrations table of a fresh database as an error; a real failure still surfaces as an exception.
        logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Critical);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        logging.AddFilter("Temporalio", LogLevel.Warning);
        // The SDK names the loggers of workflow and activity code "Temporalio.Workflow:<type>" and "Temporalio.Activity:<type>":
        // those are the product's own records (a lead completed, failed), not the SDK's chatter.
        logging.AddFilter("Temporalio.Workflow", LogLevel.Information);
        logging.AddFilter("Temporalio.Activity", LogLevel.Information);
    }

    private async Task<Uri> StartAppAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        stops.Add(async () =>
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        });
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }

    private static string Url(int port) => $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

    public async ValueTask DisposeAsync()
    {
        for (var i = stops.Count - 1; i >= 0; i--)
        {
            await stops[i]();
        }

        stops.Clear();
    }
}
