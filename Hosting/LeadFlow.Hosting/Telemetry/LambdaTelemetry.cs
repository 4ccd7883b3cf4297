using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Instrumentation.Http;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LeadFlow.Hosting.Telemetry;

/// <summary>
/// The shared set-up (<see cref="LeadFlowTelemetry"/>) for an AWS Lambda function on the managed runtime, which freezes
/// the process as soon as a handler returns: a span per invocation that continues the caller's trace, and everything
/// recorded during the invocation (spans, metrics, logs) exported before the handler returns (<see cref="FlushAsync"/>).
/// Off, at no cost, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is unset: no provider exists, <see cref="StartInvocation"/>
/// returns null without reading any header, and <see cref="FlushAsync"/> does nothing.
/// </summary>
/// <remarks>
/// With the AWS Distro for OpenTelemetry (ADOT) collector layer the endpoint is the layer's <c>http://localhost:4317</c>
/// (gRPC) or <c>http://localhost:4318</c> with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>: the flush hands the
/// data to the collector extension on the same machine, which forwards it (to X-Ray, CloudWatch or any OTLP backend).
/// </remarks>
public sealed class LambdaTelemetry
{
    /// <summary>The longest a flush at the end of an invocation may take, traces, metrics and logs together.</summary>
    public static readonly TimeSpan FlushBudget = TimeSpan.FromSeconds(2);

    private readonly TracerProvider? _tracing;
    private readonly MeterProvider? _metrics;
    private readonly LoggerProvider? _logs;
    private readonly Func<string?> _xrayHeader;

    private LambdaTelemetry(TracerProvider? tracing, MeterProvider? metrics, LoggerProvider? logs, Func<string?> xrayHeader)
    {
        _tracing = tracing;
        _metrics = metrics;
        _logs = logs;
        _xrayHeader = xrayHeader;
    }

    /// <summary>Whether this function exports telemetry (an endpoint is set, or a test added an exporter).</summary>
    public bool Enabled => _tracing is not null || _metrics is not null || _logs is not null;

    /// <summary>
    /// Registers the shared set-up, named <paramref name="serviceName"/> unless <c>OTEL_SERVICE_NAME</c> says otherwise,
    /// with the function's resource attributes (<c>cloud.provider</c>, <c>cloud.platform</c>, <c>cloud.region</c>,
    /// <c>faas.name</c>, <c>faas.version</c>, <c>faas.instance</c>, <c>faas.max_memory</c> from Lambda's variables). Nothing is
    /// registered when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is unset and <paramref name="configure"/> is null.
    /// </summary>
    /// <param name="configure">A test's exporter (the in-memory one); null in a deployed function.</param>
    /// <exception cref="InvalidOperationException"><c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is not an absolute http(s) URI (fails the init).</exception>
    public static IServiceCollection Register(IServiceCollection services, IConfiguration configuration, string serviceName, Action<IOpenTelemetryBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!LeadFlowTelemetry.IsEnabled(configuration) && configure is null)
        {
            return services;
        }

        // The SDK reads the OTEL_* settings (exporter, resource) from the function's configuration, as the steps read theirs,
        // with one default of its own: an export gives up after the flush budget (OTEL_EXPORTER_OTLP_TIMEOUT, 10 s otherwise),
        // so an unreachable endpoint does not keep the exporter busy into the next invocation.
        services.TryAddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_TIMEOUT"] = ((int)FlushBudget.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) })
            .AddConfiguration(configuration)
            .Build());
        var runtimeApi = configuration["AWS_LAMBDA_RUNTIME_API"];
        return services.AddLeadFlowTelemetry(configuration, serviceName, builder =>
        {
            builder.ConfigureResource(resource => resource.AddAttributes(ResourceAttributes(configuration)));
            // The managed runtime asks Lambda's Runtime API for each invocation and answers it over HttpClient in this
            // process: those calls are the runtime's business, not the function's, and would each be a trace of their own.
            builder.Services.Configure<HttpClientTraceInstrumentationOptions>(options =>
            {
                var previous = options.FilterHttpRequestMessage;
                options.FilterHttpRequestMessage = request =>
                    !(runtimeApi is { Length: > 0 } && string.Equals(request.RequestUri?.Authority, runtimeApi, StringComparison.OrdinalIgnoreCase))
                    && (previous?.Invoke(request) ?? true);
            });
            configure?.Invoke(builder);
        });
    }

    /// <summary>The providers <see cref="Register"/> put in <paramref name="services"/> (none when telemetry is off).</summary>
    /// <param name="xrayHeader">Reads the invocation's X-Ray header; default: the <c>_X_AMZN_TRACE_ID</c> variable Lambda sets per invocation.</param>
    public static LambdaTelemetry From(IServiceProvider services, Func<string?>? xrayHeader = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new LambdaTelemetry(
            services.GetService<TracerProvider>(),
            services.GetService<MeterProvider>(),
            services.GetService<LoggerProvider>(),
            xrayHeader ?? (() => Environment.GetEnvironmentVariable(XRayTraceHeader.LambdaVariable)));
    }

    /// <summary>
    /// The invocation's span (kind Server), or null when telemetry is off. Its parent, in this order: the W3C context
    /// the event carries (<paramref name="fromEvent"/>, e.g. an SQS message's <c>traceparent</c>); else the invocation's
    /// X-Ray header when X-Ray sampled it (the function's segment, so the spans join the X-Ray trace of the caller: the
    /// Step Functions execution, the EventBridge rule); else none (a new trace) with a link to the unsampled X-Ray
    /// context: Lambda passes an unsampled header whenever X-Ray is not tracing, and following it would record nothing.
    /// </summary>
    /// <param name="name">The span's name (the step, the function).</param>
    /// <param name="trigger"><c>faas.trigger</c>: <c>pubsub</c> (EventBridge, SNS, SQS), <c>other</c> (Step Functions).</param>
    public Activity? StartInvocation(ActivitySource source, string name, string trigger, ActivityContext fromEvent = default, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (_tracing is null || !source.HasListeners())
        {
            return null;
        }

        var parent = fromEvent;
        ActivityLink[]? links = null;
        if (parent == default && XRayTraceHeader.TryParse(_xrayHeader(), out var xray))
        {
            if (xray.TraceFlags.HasFlag(ActivityTraceFlags.Recorded))
            {
                parent = xray;
            }
            else
            {
                links = [new ActivityLink(xray)];
            }
        }

        var attributes = new List<KeyValuePair<string, object?>> { new("faas.trigger", trigger) };
        if (tags is not null)
        {
            attributes.AddRange(tags);
        }

        // The invocation is where the function's trace starts: never under a span the hosting process happens to have
        // current (a runtime or test host's own request). Changed only for the caller's async flow, as Activity.Current is.
        var ambient = Activity.Current;
        Activity.Current = null;
        var span = source.StartActivity(name, ActivityKind.Server, parent, attributes, links);
        if (span is null)
        {
            Activity.Current = ambient;
        }

        return span;
    }

    /// <summary>
    /// Exports what the invocation recorded, within <see cref="FlushBudget"/> for traces, metrics and logs together; await
    /// it last, after the invocation's span ended. True when everything was handed over in time; false when the endpoint
    /// did not answer in time (the export goes on in the background until Lambda freezes the process: it is lost or late).
    /// </summary>
    public async Task<bool> FlushAsync()
    {
        if (!Enabled)
        {
            return true;
        }

        // The three flushes run side by side on the thread pool and are waited for at most the budget: a metric flush exports
        // on the calling thread and would otherwise wait for the exporter's own timeout.
        var budget = (int)FlushBudget.TotalMilliseconds;
        var flushes = new[]
        {
            Task.Run(() => _tracing?.ForceFlush(budget) ?? true),
            Task.Run(() => _metrics?.ForceFlush(budget) ?? true),
            Task.Run(() => _logs?.ForceFlush(budget) ?? true),
        };
        var all = Task.WhenAll(flushes);
        return await Task.WhenAny(all, Task.Delay(FlushBudget)).ConfigureAwait(false) == all && flushes.All(f => f.Result);
    }

    private static IEnumerable<KeyValuePair<string, object>> ResourceAttributes(IConfiguration configuration)
    {
        yield return new("cloud.provider", "aws");
        yield return new("cloud.platform", "aws_lambda");
        var fromVariables = new (string Attribute, string Variable)[]
        {
            ("cloud.region", "AWS_REGION"),
            ("faas.name", "AWS_LAMBDA_FUNCTION_NAME"),
            ("faas.version", "AWS_LAMBDA_FUNCTION_VERSION"),
            ("faas.instance", "AWS_LAMBDA_LOG_STREAM_NAME"),
        };
        foreach (var (attribute, variable) in fromVariables)
        {
            if (configuration[variable] is { Length: > 0 } value)
            {
                yield return new(attribute, value);
            }
        }

        // Lambda gives MiB; faas.max_memory is in bytes.
        if (long.TryParse(configuration["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], NumberStyles.None, CultureInfo.InvariantCulture, out var mebibytes))
        {
            yield return new("faas.max_memory", mebibytes * 1024 * 1024);
        }
    }
}
