using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LeadFlow.TestSupport.Telemetry;

/// <summary>
/// What a telemetry set-up exported, held in memory, through batching processors whose timers never fire during a test
/// (an hour), as the OTLP exporter batches: nothing arrives here unless the code under test flushes. Spans are kept
/// whole; log records and metrics are rendered to text at export (the SDK reuses its records).
/// </summary>
public sealed class FlushedTelemetry
{
    private const int Never = 3_600_000;

    /// <summary>Every exported span, in export order.</summary>
    public ConcurrentQueue<Activity> Spans { get; } = new();

    /// <summary>Every exported log record as text: message, attributes, scopes, exception.</summary>
    public ConcurrentQueue<string> LogRecords { get; } = new();

    /// <summary>Every exported metric point as text: <c>name attribute=value ...</c>.</summary>
    public ConcurrentQueue<string> MetricPoints { get; } = new();

    /// <summary>Adds the three exporters to a set-up (the <c>configure</c> argument of <c>LeadFlowTelemetry</c>).</summary>
    public void AddTo(IOpenTelemetryBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder
            .WithTracing(tracing => tracing.AddProcessor(new BatchActivityExportProcessor(new QueueExporter<Activity>(Spans.Enqueue), scheduledDelayMilliseconds: Never)))
            .WithMetrics(metrics => metrics.AddReader(new PeriodicExportingMetricReader(new QueueExporter<Metric>(AddPoints), Never)))
            .WithLogging(logging => logging.AddProcessor(new BatchLogRecordExportProcessor(new QueueExporter<LogRecord>(record => LogRecords.Enqueue(Render(record))), scheduledDelayMilliseconds: Never)));
    }

    /// <summary>The exported spans of one trace.</summary>
    public IReadOnlyList<Activity> TraceOf(ActivityTraceId traceId) => [.. Spans.Where(s => s.TraceId == traceId)];

    /// <summary>Everything a span carries to a collector, as text: name, attributes, status, events and their attributes.</summary>
    public static string Render(Activity span)
    {
        ArgumentNullException.ThrowIfNull(span);
        var text = new StringBuilder().Append(span.DisplayName).Append(' ').Append(span.StatusDescription).Append(' ');
        foreach (var (key, value) in span.TagObjects)
        {
            text.Append(key).Append('=').Append(value).Append(' ');
        }

        foreach (var spanEvent in span.Events)
        {
            text.Append(spanEvent.Name).Append(' ');
            foreach (var (key, value) in spanEvent.Tags)
            {
                text.Append(key).Append('=').Append(value).Append(' ');
            }
        }

        return text.ToString();
    }

    /// <summary>Everything a log record carries to a collector, as text.</summary>
    public static string Render(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var text = new StringBuilder();
        text.Append(record.FormattedMessage).Append(' ').Append(record.Body).Append(' ');
        foreach (var (key, value) in record.Attributes ?? [])
        {
            text.Append(key).Append('=').Append(value).Append(' ');
        }

        record.ForEachScope(
            (scope, builder) =>
            {
                foreach (var (key, value) in scope)
                {
                    builder.Append(key).Append('=').Append(value).Append(' ');
                }
            },
            text);
        text.Append(record.Exception);
        return text.ToString();
    }

    private void AddPoints(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var text = new StringBuilder(metric.Name);
            foreach (var (key, value) in point.Tags)
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }

            MetricPoints.Enqueue(text.ToString());
        }
    }
}
