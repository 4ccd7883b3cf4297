using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LeadFlow.Hosting.Telemetry;

/// <summary>
/// The one OpenTelemetry set-up of every LeadFlow host (worker, ingress hosts, CRM backend, the CLI's local stack):
/// traces, metrics and logs over OTLP, configured only by the standard variables <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// (with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>), <c>OTEL_SERVICE_NAME</c> and
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>. Without an endpoint nothing is registered: no listener, so the instrumented code
/// creates no spans and records no measurements.
/// </summary>
/// <remarks>
/// What is collected: the spans of <see cref="ProductSources"/> (the Temporal tracing interceptor, the ingress hosts), HttpClient
/// (the Refit calls to the backend) and Npgsql (every SQL command); the meters of the product (<see cref="ProductMeterName"/>),
/// the Temporal SDK (<see cref="TemporalSdkMeterName"/>), HttpClient, Npgsql and the .NET runtime; every <c>ILogger</c>
/// record with its trace and span ids. The web hosts add the ASP.NET Core instrumentation through the <c>configure</c>
/// argument.
/// </remarks>
public static class LeadFlowTelemetry
{
    /// <summary>
    /// The product's activity sources: the Temporal tracing interceptor's (<c>LeadFlow.Temporal</c>) and the ingress
    /// hosts' (<c>LeadFlow.Ingress</c>).
    /// </summary>
    public const string ProductSources = "LeadFlow.*";

    /// <summary>The product's meter (<c>LeadFlow.Steps.LeadFlowMetrics.MeterName</c>).</summary>
    public const string ProductMeterName = "LeadFlow";

    /// <summary>
    /// The Temporal SDK's own metrics (<c>temporal_*</c>), handed to .NET by the SDK runtime of the process's Temporal
    /// clients and workers (<c>LeadFlow.Temporal.Tracing.TemporalTelemetryRuntime.MeterName</c>), which is made only when
    /// a provider listens to this meter.
    /// </summary>
    public const string TemporalSdkMeterName = "LeadFlow.Temporal.Sdk";

    /// <summary>
    /// How many finished spans, and log records, wait for export when <c>OTEL_BSP_MAX_QUEUE_SIZE</c> and
    /// <c>OTEL_BLRP_MAX_QUEUE_SIZE</c> are unset (the SDK's own default is 2,048): a burst of leads makes about 30 spans each
    /// faster than a busy receiver takes them, and a full queue drops what comes next without a word. 16,384 is about 500
    /// leads' spans, a few MB of memory while waiting.
    /// </summary>
    public const int DefaultExportQueueSize = 16_384;

    /// <summary>The standard variable whose presence turns telemetry on.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The set-up all hosts of this process share, when one was started with <see cref="StartProcessWide"/> (the CLI's
    /// local stack and the tests run several hosts in one process: one provider per host would each see every host's spans).
    /// </summary>
    public static ProcessTelemetry? ProcessWide { get; private set; }

    private static readonly Lock Gate = new();

    /// <summary>Whether <paramref name="configuration"/> names an OTLP endpoint.</summary>
    public static bool IsEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[EndpointVariable]);
    }

    /// <summary>
    /// Registers traces, metrics and logs for one host, named <paramref name="serviceName"/> unless <c>OTEL_SERVICE_NAME</c>
    /// says otherwise. Nothing when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is unset and <paramref name="configure"/> is null; only
    /// the shared log provider when a <see cref="ProcessWide"/> set-up runs.
    /// </summary>
    /// <param name="configure">Adds instrumentation or exporters (the web hosts' ASP.NET Core instrumentation, a test's in-memory exporter).</param>
    /// <exception cref="InvalidOperationException"><c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is not an absolute http(s) URI.</exception>
    public static IServiceCollection AddLeadFlowTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName, Action<IOpenTelemetryBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (ProcessWide is { } shared)
        {
            services.AddLogging(logging => logging.AddProvider(shared.LoggerProvider));
            return services;
        }

        var exporting = IsEnabled(configuration);
        if (!exporting && configure is null)
        {
            return services;
        }

        if (exporting)
        {
            CheckEndpoint(configuration);
        }

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : serviceName))
            .WithTracing(tracing => tracing
                .AddSource(ProductSources)
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(ProductMeterName, TemporalSdkMeterName)
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddRuntimeInstrumentation())
            .WithLogging(configureBuilder: null, configureOptions: options =>
            {
                options.IncludeScopes = true;
                options.IncludeFormattedMessage = true;
            });
        configure?.Invoke(builder);
        if (exporting)
        {
            DefaultQueueSizes(services, configuration);
            builder.UseOtlpExporter();
        }

        return services;
    }

    /// <summary>
    /// One set-up for every host of this process (the CLI's local stack, tests): the providers are built now, and hosts
    /// that call <see cref="AddLeadFlowTelemetry"/> from now on only get its log provider. Dispose the result to flush and
    /// stop; null when telemetry is off (no endpoint, no <paramref name="configure"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">A process-wide set-up already runs, or the endpoint is not a URI.</exception>
    public static ProcessTelemetry? StartProcessWide(IConfiguration configuration, string serviceName, Action<IOpenTelemetryBuilder>? configure = null)
    {
        var (telemetry, started) = StartOrShareProcessWide(configuration, serviceName, configure);
        return started || telemetry is null ? telemetry : throw new InvalidOperationException("A process-wide telemetry set-up already runs in this process");
    }

    /// <summary>
    /// <see cref="StartProcessWide"/>, or, when a set-up already runs in this process (another stack started first, even at
    /// the same moment), that one: atomic, so two stacks starting together never both start nor both fail.
    /// </summary>
    /// <returns>
    /// The set-up and whether this call started it: only then is it the caller's to dispose. Null with <c>false</c> when
    /// telemetry is off (no endpoint, no <paramref name="configure"/>) and none runs.
    /// </returns>
    /// <exception cref="InvalidOperationException">The endpoint is not an absolute http(s) URI.</exception>
    public static (ProcessTelemetry? Telemetry, bool Started) StartOrShareProcessWide(IConfiguration configuration, string serviceName, Action<IOpenTelemetryBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (ProcessWide is { } running)
        {
            return (running, false);
        }

        if (!IsEnabled(configuration) && configure is null)
        {
            return (null, false);
        }

        // Built outside the lock (it takes a while); the loser of a race disposes its own and shares the winner's.
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddLeadFlowTelemetry(configuration, serviceName, configure);
        var provider = services.BuildServiceProvider();
        var telemetry = new ProcessTelemetry(provider);
        lock (Gate)
        {
            if (ProcessWide is { } winner)
            {
                provider.Dispose();
                return (winner, false);
            }

            ProcessWide = telemetry;
        }

        return (telemetry, true);
    }

    internal static void Stopped(ProcessTelemetry telemetry)
    {
        lock (Gate)
        {
            if (ReferenceEquals(ProcessWide, telemetry))
            {
                ProcessWide = null;
            }
        }
    }

    /// <summary>
    /// What is wrong with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> in <paramref name="configuration"/>, naming the variable and the
    /// rule (an absolute http or https URI, as the OpenTelemetry specification's OTLP exporter configuration requires); null
    /// when it is unset or valid.
    /// </summary>
    public static string? EndpointProblem(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var endpoint = configuration[EndpointVariable];
        if (string.IsNullOrWhiteSpace(endpoint)
            || (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            return null;
        }

        return $"{EndpointVariable} must be an absolute http(s) URI such as http://localhost:4317 (OTLP/gRPC) or http://localhost:4318 with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf; it is '{endpoint}'";
    }

    /// <summary>Whether <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> asks for OTLP over HTTP with protobuf bodies (else gRPC, the default).</summary>
    public static bool UsesHttpProtobuf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.Equals(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"], "http/protobuf", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// <see cref="DefaultExportQueueSize"/> for the span and log batch processors, each unless its standard variable
    /// (OpenTelemetry specification, SDK environment variables: <c>OTEL_BSP_MAX_QUEUE_SIZE</c>, <c>OTEL_BLRP_MAX_QUEUE_SIZE</c>) is set.
    /// </summary>
    private static void DefaultQueueSizes(IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_BSP_MAX_QUEUE_SIZE"]))
        {
            services.ConfigureAll<ActivityExportProcessorOptions>(options => options.BatchExportProcessorOptions.MaxQueueSize = DefaultExportQueueSize);
        }

        if (string.IsNullOrWhiteSpace(configuration["OTEL_BLRP_MAX_QUEUE_SIZE"]))
        {
            services.ConfigureAll<LogRecordExportProcessorOptions>(options => options.BatchExportProcessorOptions.MaxQueueSize = DefaultExportQueueSize);
        }
    }

    private static void CheckEndpoint(IConfiguration configuration)
    {
        if (EndpointProblem(configuration) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
    }
}
