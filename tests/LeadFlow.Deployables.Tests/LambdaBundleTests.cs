using LeadFlow.Deployables.Tests.Support;
using Xunit.Abstractions;

namespace LeadFlow.Deployables.Tests;

/// <summary>
/// What every Lambda bundle of the SAM template owes its cold start and its package limit: native files for the
/// template's one architecture only, under 50 MB, compiled ReadyToRun, and the handlers the template names.
/// </summary>
/// <param name="fixture">The published bundle.</param>
/// <param name="output">Where the bundle's size is printed.</param>
/// <param name="handlerAssembly">The assembly the template's handler strings name.</param>
public abstract class LambdaBundleTests(PublishedDeployableFixture fixture, ITestOutputHelper output, string handlerAssembly)
{
    /// <summary>The bundle under test; its size goes to the test output.</summary>
    protected PublishedDeployable Bundle { get; } = DeployableAssert.Printed(fixture.Deployable, output);

    [Fact]
    public void CarriesNativeFilesOnlyForTheTemplatesArchitecture() =>
        DeployableAssert.Obeys(Bundle, DeployableRule.NativeFilesOnlyFor(SamTemplate.RuntimeIdentifier));

    [Fact]
    public void IsUnder50MB() => DeployableAssert.Obeys(Bundle, DeployableRule.SizeUnder(DeployableRule.LambdaSizeLimitBytes));

    [Fact]
    public void IsReadyToRun() => DeployableAssert.Obeys(Bundle, DeployableRule.ReadyToRun);

    [Fact]
    public void HoldsEveryHandlerTheTemplateNames() => DeployableAssert.Obeys(Bundle, DeployableRule.HoldsTheTemplatesHandlers(handlerAssembly));
}
