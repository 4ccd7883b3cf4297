using System.Diagnostics.Metrics;
using LeadFlow.Temporal.Tracing;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// The adapter the Temporal SDK's core records its metrics through, seen by a .NET <see cref="MeterListener"/> as an
/// OpenTelemetry meter provider sees it: values, units and attributes as the core gives them.
/// </summary>
public sealed class DiagnosticSourceMetricMeterTests : IDisposable
{
    private readonly Meter meter = new($"LeadFlow.Tests.{Guid.NewGuid():N}");
    private readonly MeterListener listener = new();
    private readonly List<(string Instrument, string? Unit, object Value, Dictionary<string, object?> Tags)> measurements = [];
    private readonly List<Instrument> published = [];

    public DiagnosticSourceMetricMeterTests()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
            {
                published.Add(instrument);
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.Start();
    }

    [Fact]
    public void Counter_AddsWithTheTagSet_WhoseAppendedKeysReplaceTheParents()
    {
        var adapter = new DiagnosticSourceMetricMeter(meter);
        var worker = adapter.CreateTags(null, [new("namespace", "default"), new("task_queue", "lead-onboarding")]);
        var activity = adapter.CreateTags(worker, [new("activity_type", "CreateClient"), new("task_queue", "other"), new("eager", true)]);

        adapter.CreateCounter<long>("temporal_activity_task_received", null, "Count").Add(2, activity);

        var (name, _, value, tags) = Assert.Single(measurements);
        Assert.Equal("temporal_activity_task_received", name);
        Assert.Equal(2L, value);
        Assert.Equal(new Dictionary<string, object?> { ["namespace"] = "default", ["task_queue"] = "other", ["activity_type"] = "CreateClient", ["eager"] = true }, tags);
    }

    [Fact]
    public void DurationHistograms_AreSecondsInEveryFormatTheCoreMayUse()
    {
        var adapter = new DiagnosticSourceMetricMeter(meter);
        var tags = adapter.CreateTags(null, [new("workflow_type", "LeadOnboardingWorkflow")]);

        adapter.CreateHistogram<double>("temporal_workflow_endtoend_latency", "s", null).Record(1.5, tags);
        adapter.CreateHistogram<TimeSpan>("temporal_activity_execution_latency", "duration", null).Record(TimeSpan.FromMilliseconds(250), tags);
        adapter.CreateHistogram<long>("temporal_payload_size", "By", null).Record(512, tags);

        Assert.Equal(
            [("temporal_workflow_endtoend_latency", "s", 1.5), ("temporal_activity_execution_latency", "s", 0.25), ("temporal_payload_size", "By", 512L)],
            measurements.Select(m => (m.Instrument, m.Unit, m.Value)));
        Assert.All(published.OfType<Histogram<double>>(), h => Assert.Contains(3600.0, h.Advice!.HistogramBucketBoundaries!));
    }

    [Fact]
    public void Gauge_RecordsTheLastValue_AndAnInstrumentAskedForTwiceIsPublishedOnce()
    {
        var adapter = new DiagnosticSourceMetricMeter(meter);
        var tags = adapter.CreateTags(null, [new("poller_type", "workflow_task")]);

        adapter.CreateGauge<long>("temporal_num_pollers", null, null).Set(5, tags);
        adapter.CreateGauge<long>("temporal_num_pollers", null, null).Set(3, tags);

        Assert.Equal([5L, 3L], measurements.Select(m => m.Value));
        Assert.IsType<Gauge<long>>(Assert.Single(published));
    }

    public void Dispose()
    {
        listener.Dispose();
        meter.Dispose();
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        where T : struct =>
        measurements.Add((instrument.Name, instrument.Unit, value, new Dictionary<string, object?>(tags.ToArray())));
}
