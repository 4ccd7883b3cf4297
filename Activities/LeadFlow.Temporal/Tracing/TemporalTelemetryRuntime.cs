using System.Diagnostics.Metrics;
using Temporalio.Runtime;

namespace LeadFlow.Temporal.Tracing;

/// <summary>
/// The Temporal SDK runtime of this process when telemetry is on: it owns the SDK core's threads and hands the core's
/// metrics (<c>temporal_*</c>: requests, workflow task and activity latencies, completions, pollers, slots, sticky cache)
/// to .NET's <see cref="System.Diagnostics.Metrics"/> on the meter <see cref="MeterName"/>, which the process's one
/// OpenTelemetry meter provider (<c>LeadFlow.Hosting.Telemetry.LeadFlowTelemetry</c>) exports with everything else: same
/// endpoint, protocol, headers, export interval (<c>OTEL_METRIC_EXPORT_INTERVAL</c>) and resource. One runtime per process,
/// shared by every client and worker of it (the CLI's local stack runs several).
/// </summary>
public static class TemporalTelemetryRuntime
{
    /// <summary>The meter of the SDK's metrics: add it to a meter provider.</summary>
    public const string MeterName = "LeadFlow.Temporal.Sdk";

    private static readonly Meter Meter = new(MeterName);

    // Never recorded, so never exported: its Enabled flag says whether a meter provider subscribed to this meter.
    private static readonly Counter<long> Subscription = Meter.CreateCounter<long>(
        "leadflow.temporal.sdk.subscription", description: "Never recorded: tells whether a meter provider listens to the Temporal SDK's metrics");

    private static readonly Lazy<TemporalRuntime> Runtime = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The runtime to connect with: this process's one runtime (made on first use) when an OpenTelemetry meter provider
    /// listens to <see cref="MeterName"/>; null (the SDK's default runtime, which records no metrics) when telemetry is
    /// off, so an unobserved process pays nothing for the SDK's metrics. Ask when connecting, after the host's telemetry
    /// started.
    /// </summary>
    public static TemporalRuntime? Current => Subscription.Enabled ? Runtime.Value : null;

    private static TemporalRuntime Create() => new(new TemporalRuntimeOptions
    {
        Telemetry = new TelemetryOptions
        {
            Metrics = new MetricsOptions
            {
                CustomMetricMeter = new DiagnosticSourceMetricMeter(Meter),
                // Durations as seconds (unit "s"), as OpenTelemetry's conventions measure them.
                CustomMetricMeterOptions = new CustomMetricMeterOptions { HistogramDurationFormat = CustomMetricMeterOptions.DurationFormat.FloatSeconds },
                // The resource's service.name says which host it is; the core's own "temporal-core-sdk" would only repeat itself.
                AttachServiceName = false,
            },
        },
    });
}
