using LeadFlow.Deployables.Tests.Support;
using Xunit.Abstractions;

namespace LeadFlow.Deployables.Tests;

/// <summary>The SQS poller (<c>Ingress/LeadFlow.Ingress.Sqs</c>) is a worker service: it serves no web form and runs no web server.</summary>
public sealed class SqsPollerTests(SqsPollerPublish fixture, ITestOutputHelper output) : IClassFixture<SqsPollerPublish>
{
    private readonly PublishedDeployable _poller = DeployableAssert.Printed(fixture.Deployable, output);

    [Fact]
    public void CarriesNoWebForm() => DeployableAssert.Obeys(_poller, DeployableRule.NoWebForm);

    [Fact]
    public void CarriesNoAspNetCore() => DeployableAssert.Obeys(_poller, DeployableRule.NoAspNetCore);
}
