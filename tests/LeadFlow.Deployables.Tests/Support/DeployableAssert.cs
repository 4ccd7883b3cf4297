using Xunit.Abstractions;

namespace LeadFlow.Deployables.Tests.Support;

/// <summary>Asserts a <see cref="DeployableRule"/>, failing with every file and reference that breaks it.</summary>
public static class DeployableAssert
{
    /// <summary>Fails when <paramref name="deployable"/> breaks <paramref name="rule"/>, one line per file or reference.</summary>
    public static void Obeys(PublishedDeployable deployable, DeployableRule rule)
    {
        ArgumentNullException.ThrowIfNull(deployable);
        ArgumentNullException.ThrowIfNull(rule);
        var violations = rule.Violations(deployable).ToList();
        Assert.True(
            violations.Count == 0,
            $"{deployable.Project} must be a deployable that {rule.Name}, but (published to {deployable.Publish.Folder}):\n  {string.Join("\n  ", violations)}");
    }

    /// <summary>Writes the deployable's published size to the test output, and hands it back.</summary>
    public static PublishedDeployable Printed(PublishedDeployable deployable, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(deployable);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(deployable.Summary);
        return deployable;
    }
}
