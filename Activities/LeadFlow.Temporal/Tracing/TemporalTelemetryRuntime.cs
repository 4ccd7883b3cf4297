using System.Collections.Concurrent;
using Temporalio.Runtime;

namespace LeadFlow.Temporal.Tracing;

/// <summary>
/// The Temporal SDK runtime of this process. A runtime owns the SDK core's threads and its metrics exporter, so there is
/// one per export destination, shared by every client and worker of the process (the CLI's local stack runs several).
/// </summary>
public static class TemporalTelemetryRuntime
{
    private static readonly ConcurrentDictionary<TemporalMetricsExport, Lazy<TemporalRuntime>> Runtimes = new();

    /// <summary>The runtime exporting the SDK's metrics to <paramref name="export"/>; null (the SDK's default runtime, no metrics) when it has no endpoint.</summary>
    public static TemporalRuntime? For(TemporalMetricsExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (export.Endpoint is null)
        {
            return null;
        }

        return Runtimes.GetOrAdd(export, static e => new Lazy<TemporalRuntime>(() => Create(e))).Value;
    }

    private static TemporalRuntime Create(TemporalMetricsExport export)
    {
        var url = export.HttpProtobuf ? new Uri(export.Endpoint!, "v1/metrics") : export.Endpoint!;
        return new TemporalRuntime(new TemporalRuntimeOptions
        {
            Telemetry = new TelemetryOptions
            {
                Metrics = new MetricsOptions
                {
                    OpenTelemetry = new OpenTelemetryOptions(url)
                    {
                        Protocol = export.HttpProtobuf ? OpenTelemetryProtocol.Http : OpenTelemetryProtocol.Grpc,
                        UseSecondsForDuration = true,
                    },
                },
            },
        });
    }
}
