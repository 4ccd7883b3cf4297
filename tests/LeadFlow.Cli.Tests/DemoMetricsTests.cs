using LeadFlow.Cli.Demo;
using LeadFlow.Cli.Tests.Support;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.TestSupport.Telemetry;
using LeadFlow.Workflows;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// Alone, after the parallel collections: the process-wide meter provider sees every stack of the process, so no other
/// stack may run leads while the demo's are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoMetricsCollection
{
    public const string Name = "demo counted by an in-memory metric exporter";
}

/// <summary>The product's counters, read back through an in-memory exporter after <c>leadflow demo</c>, match its leads' outcomes.</summary>
[Collection(DemoMetricsCollection.Name)]
public sealed class DemoMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AfterTheDemo_TheProductCountersMatchEachLeadsOutcome()
    {
        var snapshots = new List<MetricSnapshot>();
        using var telemetry = LeadFlowTelemetry.StartProcessWide(new ConfigurationBuilder().Build(), "leadflow-demo-metrics", builder => builder.WithMetrics(metrics => metrics.AddInMemoryExporter(snapshots)))!;
        var before = MetricTotals.Read(telemetry, snapshots);

        var result = await CliRun.RunAsync(["demo", "--temporal", "Embedded", "--no-dashboard"]);
        output.WriteLine(result.Output);
        Assert.Equal(0, result.ExitCode);

        var after = MetricTotals.Read(telemetry, snapshots);
        long Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
        var leads = DemoLeads.Create("any", new Random());
        Assert.Equal(leads.Count, Delta("leadflow.leads.started"));
        Assert.Equal(leads.Count, Delta("leadflow.ingress.starts"));
        Assert.Equal(leads.Sum(l => l.Deliveries - 1), Delta("leadflow.ingress.duplicates"));
        Assert.Equal(leads.Count(l => l.Expected == LeadOutcome.Completed), Delta("leadflow.leads.ended|completed"));
        Assert.Equal(leads.Count(l => l.Expected == LeadOutcome.Rejected), Delta("leadflow.leads.ended|rejected"));
        Assert.Equal(leads.Count(l => l.Expected == LeadOutcome.Failed), Delta("leadflow.leads.ended|failed"));
        Assert.Equal(leads.Count(l => l.ExpectedUndone > 0), Delta("leadflow.leads.compensated"));
        Assert.Equal(0, Delta("leadflow.ingress.dead_letters"));

        // Every attempt is timed: each lead past validation ran CreateClient, and the transient fault's lead tried
        // CreatePartner once per fault more (at least: a slow machine may time an attempt out and retry it).
        var validLeads = leads.Count(l => l.Expected != LeadOutcome.Rejected);
        Assert.True(Delta("leadflow.step.duration|CreateClient") >= validLeads, $"CreateClient timed {Delta("leadflow.step.duration|CreateClient")} times for {validLeads} leads");
        var partnerAttempts = validLeads + leads.Where(l => l.Fault is { Path: "/create_partner" }).Sum(l => l.Fault!.Times);
        Assert.True(Delta("leadflow.step.duration|CreatePartner") >= partnerAttempts, $"CreatePartner timed {Delta("leadflow.step.duration|CreatePartner")} times, expected at least {partnerAttempts}");
    }
}
