using System.Diagnostics;
using LeadFlow.Cli.Hosting;
using LeadFlow.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// A burst of spans larger than the OpenTelemetry SDK's default export queue (2,048) reaches the local Aspire dashboard
/// whole: the set-up's own default queue holds it, and <c>OTEL_BSP_MAX_QUEUE_SIZE</c> still decides when set. In the
/// non-parallel collection, as the process-wide set-up listens to every <c>LeadFlow.*</c> source of the process.
/// </summary>
[Collection(DemoMetricsCollection.Name)]
public sealed class ExportQueueTests
{
    private const int Traces = 100;
    private const int SpansPerTrace = 100;

    [Fact]
    public async Task BurstOfTenThousandSpans_ArrivesWhole()
    {
        var (recorded, held) = await BurstAsync(queueSize: null);

        Assert.Equal(Traces * SpansPerTrace, recorded);
        Assert.Equal(recorded, held);
    }

    [Fact]
    public async Task OtelBspMaxQueueSize_StillDecides()
    {
        var (recorded, held) = await BurstAsync(queueSize: 500);

        Assert.Equal(Traces * SpansPerTrace, recorded);
        Assert.True(held < recorded, $"with a queue of 500 the dashboard still got all {held} spans of the burst");
    }

    /// <summary>Log records go through a batch queue of their own (<c>OTEL_BLRP_MAX_QUEUE_SIZE</c>), with the same default.</summary>
    [Fact]
    public async Task BurstOfFiveThousandLogRecords_ArrivesWhole()
    {
        const int records = 5_000;
        await using var dashboard = await LocalDashboard.StartAsync(path: null, uiPort: 0, CancellationToken.None);
        var settings = new Dictionary<string, string?> { [LeadFlowTelemetry.EndpointVariable] = dashboard.OtlpGrpcUrl.GetLeftPart(UriPartial.Authority) };
        using (var telemetry = LeadFlowTelemetry.StartProcessWide(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), "leadflow-burst")!)
        {
            var logger = telemetry.LoggerProvider.CreateLogger("LeadFlow.Tests.Burst");
            for (var i = 0; i < records; i++)
            {
                logger.LogInformation("Burst record {Number}", i);
            }

            Assert.True(telemetry.Flush(60_000), "the export did not finish within 60 s");
        }

        Assert.Equal(records, await dashboard.LogCountAsync(CancellationToken.None));
    }

    /// <summary>Ends the burst's spans as fast as one thread can, flushes, and reads how many the dashboard holds.</summary>
    private static async Task<(long Recorded, long Held)> BurstAsync(int? queueSize)
    {
        await using var dashboard = await LocalDashboard.StartAsync(path: null, uiPort: 0, CancellationToken.None);
        var settings = new Dictionary<string, string?>
        {
            [LeadFlowTelemetry.EndpointVariable] = dashboard.OtlpGrpcUrl.GetLeftPart(UriPartial.Authority),
            ["OTEL_BSP_MAX_QUEUE_SIZE"] = queueSize?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        using var source = new ActivitySource($"LeadFlow.Tests.Burst.{Guid.NewGuid():N}");
        long recorded = 0;
        using (var telemetry = LeadFlowTelemetry.StartProcessWide(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), "leadflow-burst")!)
        {
            for (var trace = 0; trace < Traces; trace++)
            {
                using var root = source.StartActivity("burst", ActivityKind.Internal);
                recorded += root?.Recorded == true ? 1 : 0;
                for (var span = 1; span < SpansPerTrace; span++)
                {
                    using var child = source.StartActivity("burst step");
                    recorded += child?.Recorded == true ? 1 : 0;
                }
            }

            Assert.True(telemetry.Flush(60_000), "the export did not finish within 60 s");
        }

        return (recorded, await dashboard.SpanCountAsync(CancellationToken.None));
    }
}
