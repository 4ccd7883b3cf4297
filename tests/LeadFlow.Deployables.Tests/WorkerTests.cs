using LeadFlow.Deployables.Tests.Support;
using Xunit.Abstractions;

namespace LeadFlow.Deployables.Tests;

/// <summary>The worker (<c>Worker</c>) runs the workflow and the activities on-prem: no web host, no web form.</summary>
public sealed class WorkerTests(WorkerPublish fixture, ITestOutputHelper output) : IClassFixture<WorkerPublish>
{
    private readonly PublishedDeployable _worker = DeployableAssert.Printed(fixture.Deployable, output);

    [Fact]
    public void CarriesNoAspNetCore() => DeployableAssert.Obeys(_worker, DeployableRule.NoAspNetCore);

    [Fact]
    public void CarriesNoWebForm() => DeployableAssert.Obeys(_worker, DeployableRule.NoWebForm);
}
