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
    /// leads' spans: at most about 13 MB of spans (some 800 bytes each) while waiting, and as much again for log records.
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
    /// <exception cref="InvalidOperationException">A telemetry setting breaks its rule (<see cref="SettingsProblem"/>); the message names it.</exception>
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
            CheckSettings(configuration);
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
    /// stop; null when telemetry is off (no endpoint, no <paramref name="configure"/>) and no set-up runs.
    /// </summary>
    /// <exception cref="InvalidOperationException">A process-wide set-up already runs, or a telemetry setting breaks its rule.</exception>
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
    /// The set-up and whether this call started it: only then is it the caller's to dispose. With telemetry off (no
    /// endpoint, no <paramref name="configure"/>) nothing starts: the one running, if any, or null, with <c>false</c>.
    /// </returns>
    /// <exception cref="InvalidOperationException">A telemetry setting breaks its rule (<see cref="SettingsProblem"/>).</exception>
    public static (ProcessTelemetry? Telemetry, bool Started) StartOrShareProcessWide(IConfiguration configuration, string serviceName, Action<IOpenTelemetryBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!IsEnabled(configuration) && configure is null)
        {
            return (ProcessWide, false);
        }

        // Built under the lock: a loser of the race never has providers of its own listening, even for a moment (its
        // spans would be exported twice), and it waits for the winner's set-up rather than seeing a half-built one.
        lock (Gate)
        {
            if (ProcessWide is { } running)
            {
                return (running, false);
            }

            var services = new ServiceCollection();
            services.AddSingleton(configuration);
            services.AddLogging();
            services.AddLeadFlowTelemetry(configuration, serviceName, configure);
            ProcessWide = new ProcessTelemetry(services.BuildServiceProvider());
            return (ProcessWide, true);
        }
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
    /// The OpenTelemetry SDK settings whose value must be a positive whole number when set (milliseconds or counts;
    /// OpenTelemetry specification, SDK environment variables). The SDK itself ignores a value it cannot read and falls back
    /// to its default without a word, which for the queue sizes is the 2,048 that loses spans under load.
    /// </summary>
    private static readonly string[] PositiveIntegerSettings =
    [
        "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT",
        "OTEL_BLRP_MAX_QUEUE_SIZE", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "OTEL_BLRP_SCHEDULE_DELAY", "OTEL_BLRP_EXPORT_TIMEOUT",
        "OTEL_METRIC_EXPORT_INTERVAL",
    ];

    /// <summary>The samplers OpenTelemetry .NET reads from <c>OTEL_TRACES_SAMPLER</c>; the two ratio ones take <c>OTEL_TRACES_SAMPLER_ARG</c>.</summary>
    private static readonly string[] Samplers = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"];

    /// <summary>
    /// What is wrong with the telemetry settings in <paramref name="configuration"/>, naming the variable and the rule; null
    /// when nothing is. The rules (OpenTelemetry specification, SDK environment variables and OTLP exporter configuration):
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> an absolute http or https URI; the batch processors' sizes, delays and timeouts
    /// and <c>OTEL_METRIC_EXPORT_INTERVAL</c> positive whole numbers; <c>OTEL_TRACES_SAMPLER</c> one of the samplers
    /// OpenTelemetry .NET knows; <c>OTEL_TRACES_SAMPLER_ARG</c> a number from 0 to 1, and only with a ratio sampler (else
    /// it is ignored, and every trace kept when the setter meant to sample).
    /// </summary>
    public static string? SettingsProblem(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var endpoint = configuration[EndpointVariable];
        if (!string.IsNullOrWhiteSpace(endpoint)
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            return $"{EndpointVariable} must be an absolute http(s) URI such as http://localhost:4317 (OTLP/gRPC) or http://localhost:4318 with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf; it is '{endpoint}'";
        }

        foreach (var name in PositiveIntegerSettings)
        {
            if (configuration[name] is { } value
                && !(int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0))
            {
                return $"{name} must be a positive whole number; it is '{value}'";
            }
        }

        var sampler = configuration["OTEL_TRACES_SAMPLER"];
        if (sampler is not null && !Samplers.Contains(sampler, StringComparer.Ordinal))
        {
            return $"OTEL_TRACES_SAMPLER must be one of {string.Join(", ", Samplers)}; it is '{sampler}'";
        }

        if (configuration["OTEL_TRACES_SAMPLER_ARG"] is { } argument)
        {
            if (sampler is not ("traceidratio" or "parentbased_traceidratio"))
            {
                return $"OTEL_TRACES_SAMPLER_ARG is only read by OTEL_TRACES_SAMPLER=parentbased_traceidratio (or traceidratio); with {(sampler is null ? "OTEL_TRACES_SAMPLER unset" : $"OTEL_TRACES_SAMPLER={sampler}")} it would be ignored and every trace kept";
            }

            if (!double.TryParse(argument, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ratio) || ratio is < 0 or > 1 || double.IsNaN(ratio))
            {
                return $"OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of traces kept); it is '{argument}'";
            }
        }

        return null;
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

    private static void CheckSettings(IConfiguration configuration)
    {
        if (SettingsProblem(configuration) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
    }
}
