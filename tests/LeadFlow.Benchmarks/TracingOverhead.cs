using System.Diagnostics;
using LeadFlow.Cli.Hosting;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.Hosting.Web;
using Microsoft.Extensions.Configuration;
using LeadFlow.TestSupport.Telemetry;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace LeadFlow.Benchmarks;

/// <summary>Where the <c>--tracing</c> mode's telemetry goes when on.</summary>
internal enum TracingTarget
{
    /// <summary>A local Aspire dashboard over OTLP/gRPC, as <c>leadflow up</c> runs it: on the same cores.</summary>
    Dashboard,

    /// <summary>An OTLP/HTTP receiver that reads each request and keeps nothing: the product's own cost, as with a collector elsewhere.</summary>
    DiscardingReceiver,
}

/// <summary>
/// The e2e benchmark's <c>--tracing</c> mode: the same worker and backend alternate between telemetry off (no provider:
/// instrumented code finds no listener) and on (the process-wide set-up the CLI uses, exporting traces, metrics and logs
/// over OTLP to a <see cref="TracingTarget"/>), so one run prints every mode.
/// </summary>
internal sealed class TracingOverhead : IAsyncDisposable
{
    private readonly LocalDashboard dashboard;
    private readonly OtlpHttpReceiver sink;
    private readonly RecordedSpans recorded = new();
    private ProcessTelemetry? telemetry;

    private TracingOverhead(LocalDashboard dashboard, OtlpHttpReceiver sink)
    {
        this.dashboard = dashboard;
        this.sink = sink;
    }

    public Uri DashboardUrl => dashboard.Url;

    /// <summary>The discarding receiver's OTLP/HTTP endpoint.</summary>
    public Uri SinkEndpoint => sink.Endpoint;

    public string Endpoint => dashboard.OtlpGrpcUrl.GetLeftPart(UriPartial.Authority);

    /// <summary>The dashboard process's CPU time so far: the machine's cost of ingesting what this process exports.</summary>
    public TimeSpan DashboardCpu => dashboard.ProcessorTime;

    /// <summary>The spans this process recorded (sampled in) while exporting to the dashboard: each one handed to the OTLP exporter.</summary>
    public long SpansToDashboard => Interlocked.Read(ref recorded.Count);

    /// <summary>
    /// The spans the dashboard holds: equal to <see cref="SpansToDashboard"/> when the exporter dropped none (a full export
    /// queue drops what comes next when the dashboard falls behind).
    /// </summary>
    public Task<long> DashboardSpansAsync() => dashboard.SpanCountAsync(CancellationToken.None);

    /// <exception cref="DashboardUnavailableException">The dashboard could not be started; the message says why.</exception>
    public static async Task<TracingOverhead> StartAsync()
    {
        // The dashboard keeps 10,000 traces by default and drops the oldest beyond: a long run's span check would see
        // that as loss. It inherits this process's environment.
        Environment.SetEnvironmentVariable("Dashboard__TelemetryLimits__MaxTraceCount", "10000000");
        return new(await LocalDashboard.StartAsync(path: null, uiPort: 0, CancellationToken.None), await OtlpHttpReceiver.StartAsync(keepBodies: false));
    }

    /// <summary>
    /// Turns telemetry on: providers built now, exporting to <paramref name="target"/>; every trace, or with <paramref name="sampledRatio"/>
    /// that share of them (<c>OTEL_TRACES_SAMPLER=parentbased_traceidratio</c>, the standard head sampler: a lead's trace is
    /// kept or dropped whole, decided where it starts).
    /// </summary>
    public void On(TracingTarget target, double? sampledRatio = null)
    {
        var settings = target == TracingTarget.Dashboard
            ? new Dictionary<string, string?> { [LeadFlowTelemetry.EndpointVariable] = Endpoint }
            : new Dictionary<string, string?> { [LeadFlowTelemetry.EndpointVariable] = sink.Endpoint.ToString(), ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" };
        if (sampledRatio is { } ratio)
        {
            settings["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
            settings["OTEL_TRACES_SAMPLER_ARG"] = ratio.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        telemetry = LeadFlowTelemetry.StartProcessWide(configuration, "leadflow-benchmark", target == TracingTarget.Dashboard
            ? builder => WebTelemetry.AddAspNetCore(builder).WithTracing(tracing => tracing.AddProcessor(new SpanCounter(recorded)))
            : builder => WebTelemetry.AddAspNetCore(builder));
    }

    /// <summary>Flushes what is buffered (inside the measured time: exporting is part of the cost) and turns telemetry off.</summary>
    public void Off()
    {
        telemetry?.Flush();
        telemetry?.Dispose();
        telemetry = null;
    }

    public async ValueTask DisposeAsync()
    {
        Off();
        await dashboard.DisposeAsync();
        await sink.DisposeAsync();
    }

    private sealed class RecordedSpans
    {
        public long Count;
    }

    /// <summary>Counts the spans that end recorded: what the provider's batch processor hands to the exporter.</summary>
    private sealed class SpanCounter(RecordedSpans total) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            if (data.Recorded)
            {
                Interlocked.Increment(ref total.Count);
            }
        }
    }

    /// <summary>
    /// A log provider for hosts built before telemetry is on: each record goes to the process-wide set-up running at that
    /// moment, if any (hosts keep their providers for life, while the benchmark turns telemetry on and off).
    /// </summary>
    public sealed class ForwardingLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ForwardingLogger(categoryName);

        public void Dispose()
        {
        }

        private sealed class ForwardingLogger(string category) : ILogger
        {
            private ILogger? current;
            private ILoggerProvider? currentProvider;

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => Target()?.BeginScope(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && Target() is not null;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                Target()?.Log(logLevel, eventId, state, exception, formatter);

            private ILogger? Target()
            {
                var provider = LeadFlowTelemetry.ProcessWide?.LoggerProvider;
                if (!ReferenceEquals(provider, currentProvider))
                {
                    currentProvider = provider;
                    current = provider?.CreateLogger(category);
                }

                return current;
            }
        }
    }
}
