using System.Collections.Concurrent;
using System.Diagnostics;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.Hosting.Web;
using LeadFlow.TestSupport.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LeadFlow.Ingress.Tests.Support;

/// <summary>
/// The whole path in process (<see cref="FullFlowFixture"/>) under one process-wide telemetry set-up, as the CLI's local
/// stack runs it, exporting to memory: every finished span, every log record rendered to text at export (the SDK
/// reuses its records), and metric snapshots.
/// </summary>
public sealed class TelemetryFlowFixture : IAsyncLifetime
{
    private ProcessTelemetry? _telemetry;

    public FullFlowFixture Flow { get; } = new();

    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<string> LogRecords { get; } = new();

    public List<MetricSnapshot> Metrics { get; } = [];

    public ProcessTelemetry Telemetry => _telemetry!;

    public async Task InitializeAsync()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        _telemetry = LeadFlowTelemetry.StartProcessWide(configuration, "leadflow-test", builder =>
        {
            WebTelemetry.AddAspNetCore(builder)
                .WithTracing(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter<Activity>(Spans.Enqueue))))
                .WithMetrics(metrics => metrics.AddInMemoryExporter(Metrics))
                .WithLogging(logging => logging.AddProcessor(new SimpleLogRecordExportProcessor(new QueueExporter<LogRecord>(record => LogRecords.Enqueue(FlushedTelemetry.Render(record))))));
        })!;
        await Flow.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Flow.DisposeAsync();
        _telemetry?.Dispose();
    }
}
