using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Temporalio.Runtime;

namespace LeadFlow.Temporal.Tracing;

/// <summary>
/// The Temporal SDK's own metrics as .NET <see cref="System.Diagnostics.Metrics"/> instruments on one <see cref="Meter"/>,
/// so the process's OpenTelemetry meter provider exports them with everything else (set as
/// <see cref="MetricsOptions.CustomMetricMeter"/>; <see cref="TemporalTelemetryRuntime"/> does). A stand-in for
/// <c>Temporalio.Extensions.DiagnosticSource</c>'s <c>CustomMetricMeter</c>, which the package registry here does not
/// serve: same role and constructor argument, so swapping it for the package is a one-line change there.
/// </summary>
/// <remarks>
/// The SDK's core creates each instrument once per client or worker and then calls the returned object from its own
/// threads: counters and gauges get a non-negative <c>long</c> (gauges may get a <c>double</c>); histograms a <c>long</c>,
/// a <c>double</c>, or, for durations, what <see cref="CustomMetricMeterOptions.HistogramDurationFormat"/> says (seconds
/// as a <c>double</c> with <see cref="CustomMetricMeterOptions.DurationFormat.FloatSeconds"/>, the unit then <c>s</c>).
/// An instrument asked for twice (two workers of one process) is the same .NET instrument. Attribute values are
/// <c>string</c>, <c>long</c>, <c>double</c> or <c>bool</c>: namespace, task queue, workflow and activity types, the RPC
/// operation; never a workflow id or a payload.
/// </remarks>
public sealed class DiagnosticSourceMetricMeter(Meter meter) : ICustomMetricMeter
{
    /// <summary>
    /// Bucket boundaries (seconds) of the duration histograms: Temporal's latencies run from a millisecond (a workflow
    /// task) to an hour (a run retrying a CRM that is down), where OpenTelemetry's default boundaries are meant for
    /// milliseconds.
    /// </summary>
    private static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600];

    private readonly ConcurrentDictionary<(Type Kind, Type Value, string Name, string? Unit, string? Description), object> instruments = new();

    /// <summary>The meter every instrument is created on.</summary>
    public Meter Meter { get; } = meter ?? throw new ArgumentNullException(nameof(meter));

    /// <inheritdoc />
    public ICustomMetricCounter<T> CreateCounter<T>(string name, string? unit, string? description)
        where T : struct =>
        (ICustomMetricCounter<T>)instruments.GetOrAdd(
            (typeof(Counter<>), typeof(T), name, unit, description),
            key => new CounterAdapter<T>(Meter.CreateCounter<T>(key.Name, key.Unit, key.Description)));

    /// <inheritdoc />
    public ICustomMetricHistogram<T> CreateHistogram<T>(string name, string? unit, string? description)
        where T : struct =>
        (ICustomMetricHistogram<T>)instruments.GetOrAdd(
            (typeof(Histogram<>), typeof(T), name, unit, description),
            key => key.Value == typeof(TimeSpan)
                ? new TimeSpanHistogramAdapter(SecondsHistogram(key.Name, key.Description))
                : new HistogramAdapter<T>(key.Unit == "s" && key.Value == typeof(double)
                    ? (Histogram<T>)(object)SecondsHistogram(key.Name, key.Description)
                    : Meter.CreateHistogram<T>(key.Name, key.Unit, key.Description)));

    /// <inheritdoc />
    public ICustomMetricGauge<T> CreateGauge<T>(string name, string? unit, string? description)
        where T : struct =>
        (ICustomMetricGauge<T>)instruments.GetOrAdd(
            (typeof(Gauge<>), typeof(T), name, unit, description),
            key => new GaugeAdapter<T>(Meter.CreateGauge<T>(key.Name, key.Unit, key.Description)));

    /// <inheritdoc />
    public object CreateTags(object? appendFrom, IReadOnlyCollection<KeyValuePair<string, object>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return MetricTags.Create(appendFrom as MetricTags, tags);
    }

    private Histogram<double> SecondsHistogram(string name, string? description) =>
        Meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>An attribute set the core made once and passes back with every measurement.</summary>
    private sealed class MetricTags
    {
        private MetricTags(KeyValuePair<string, object?>[] pairs) => Pairs = pairs;

        public KeyValuePair<string, object?>[] Pairs { get; }

        /// <summary><paramref name="parent"/>'s attributes then <paramref name="added"/>; an added key replaces the parent's value.</summary>
        public static MetricTags Create(MetricTags? parent, IReadOnlyCollection<KeyValuePair<string, object>> added)
        {
            var merged = new List<KeyValuePair<string, object?>>(parent?.Pairs ?? []);
            foreach (var (key, value) in added)
            {
                var existing = merged.FindIndex(pair => pair.Key == key);
                if (existing >= 0)
                {
                    merged[existing] = new(key, value);
                }
                else
                {
                    merged.Add(new(key, value));
                }
            }

            return new MetricTags([.. merged]);
        }
    }

    private sealed class CounterAdapter<T>(Counter<T> counter) : ICustomMetricCounter<T>
        where T : struct
    {
        public void Add(T value, object tags) => counter.Add(value, ((MetricTags)tags).Pairs);
    }

    private sealed class HistogramAdapter<T>(Histogram<T> histogram) : ICustomMetricHistogram<T>
        where T : struct
    {
        public void Record(T value, object tags) => histogram.Record(value, ((MetricTags)tags).Pairs);
    }

    private sealed class TimeSpanHistogramAdapter(Histogram<double> histogram) : ICustomMetricHistogram<TimeSpan>
    {
        public void Record(TimeSpan value, object tags) => histogram.Record(value.TotalSeconds, ((MetricTags)tags).Pairs);
    }

    private sealed class GaugeAdapter<T>(Gauge<T> gauge) : ICustomMetricGauge<T>
        where T : struct
    {
        public void Set(T value, object tags) => gauge.Record(value, ((MetricTags)tags).Pairs);
    }
}
