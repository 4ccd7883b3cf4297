using LeadFlow.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// The process's one telemetry set-up, started by stacks that may start at the same moment (the CLI's tests run several
/// stacks in one process): exactly one starts it, the others share it. In the non-parallel collection, as it is process-wide.
/// </summary>
[Collection(DemoMetricsCollection.Name)]
public sealed class ProcessWideTelemetryTests
{
    [Fact]
    public async Task StacksStartingTogether_OneStartsIt_TheOthersShareThatOne()
    {
        var configuration = new ConfigurationBuilder().Build();
        using var ready = new Barrier(8);
        var calls = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            ready.SignalAndWait();
            return LeadFlowTelemetry.StartOrShareProcessWide(configuration, $"stack-{i}", _ => { });
        })));

        var started = Assert.Single(calls, c => c.Started);
        try
        {
            Assert.All(calls, c => Assert.Same(started.Telemetry, c.Telemetry));
            Assert.Same(started.Telemetry, LeadFlowTelemetry.ProcessWide);
            Assert.Throws<InvalidOperationException>(() => LeadFlowTelemetry.StartProcessWide(configuration, "late", _ => { }));
        }
        finally
        {
            started.Telemetry!.Dispose();
        }

        Assert.Null(LeadFlowTelemetry.ProcessWide);
    }

    [Fact]
    public void WithTelemetryOff_NothingStarts()
    {
        var (telemetry, started) = LeadFlowTelemetry.StartOrShareProcessWide(new ConfigurationBuilder().Build(), "off");

        Assert.Null(telemetry);
        Assert.False(started);
        Assert.Null(LeadFlowTelemetry.ProcessWide);
    }
}
