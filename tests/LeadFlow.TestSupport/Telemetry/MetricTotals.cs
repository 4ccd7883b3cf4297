using LeadFlow.Hosting.Telemetry;
using OpenTelemetry.Metrics;

namespace LeadFlow.TestSupport.Telemetry;

/// <summary>Reads the product's counters back from an in-memory metric exporter of a process-wide telemetry set-up.</summary>
public static class MetricTotals
{
    /// <summary>
    /// Flushes <paramref name="telemetry"/>'s metrics into <paramref name="snapshots"/> (its in-memory exporter's list, cleared
    /// first) and sums every <c>leadflow.*</c> instrument: key <c>name</c> for the total, <c>name|value</c> per value of the
    /// outcome (<c>leadflow.lead.outcome</c>) and step (<c>leadflow.step</c>) attributes. Counters give their sums,
    /// histograms their counts. Cumulative temporality (the exporter's default): the last snapshot holds the totals.
    /// </summary>
    public static Dictionary<string, long> Read(ProcessTelemetry telemetry, List<MetricSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(snapshots);
        lock (snapshots)
        {
            snapshots.Clear();
        }

        telemetry.Metrics.ForceFlush();
        var totals = new Dictionary<string, long>();
        lock (snapshots)
        {
            foreach (var metric in snapshots.Where(m => m.Name.StartsWith("leadflow.", StringComparison.Ordinal)).GroupBy(m => m.Name).Select(g => g.Last()))
            {
                foreach (var point in metric.MetricPoints)
                {
                    var value = metric.MetricType == MetricType.Histogram ? point.GetHistogramCount() : point.GetSumLong();
                    totals[metric.Name] = totals.GetValueOrDefault(metric.Name) + value;
                    foreach (var tag in point.Tags)
                    {
                        if (tag.Key is "leadflow.lead.outcome" or "leadflow.step")
                        {
                            var key = $"{metric.Name}|{tag.Value}";
                            totals[key] = totals.GetValueOrDefault(key) + value;
                        }
                    }
                }
            }
        }

        return totals;
    }
}
