using OpenTelemetry;

namespace LeadFlow.TestSupport.Telemetry;

/// <summary>An exporter that hands each exported item (span, metric, log record) to <c>add</c>, as it comes: the tests' in-process receiver.</summary>
public sealed class QueueExporter<T>(Action<T> add) : BaseExporter<T>
    where T : class
{
    public override ExportResult Export(in Batch<T> batch)
    {
        foreach (var item in batch)
        {
            add(item);
        }

        return ExportResult.Success;
    }
}
