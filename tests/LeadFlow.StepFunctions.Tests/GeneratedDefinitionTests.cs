using LeadFlow.StepFunctions.Definition;
using LeadFlow.StepFunctions.Tests.Support;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>The committed definition is the generated one: nobody edits lead-onboarding.asl.json by hand.</summary>
public sealed class GeneratedDefinitionTests
{
    [Fact]
    public async Task CommittedDefinition_IsExactlyAFreshGeneration_FromTheStepList()
    {
        var committed = await File.ReadAllTextAsync(RepositoryPaths.Definition);

        Assert.True(
            committed == AslDefinition.BuildText(),
            "StepFunctions/lead-onboarding.asl.json differs from the step list. Regenerate it: "
            + "dotnet run --project StepFunctions/LeadFlow.StepFunctions.Definition -- StepFunctions/lead-onboarding.asl.json");
    }

    [Fact]
    public void Generation_FollowsTheStepList_SoAChangedPolicyChangesTheDefinition()
    {
        var definition = AslDefinition.Build();
        var createClient = AslDocument.State(definition, "CreateClient");

        Assert.Equal(AslRetry.MaxAttempts(Steps.LeadOnboardingSteps.DefaultRetry), createClient["Retry"]![2]!["MaxAttempts"]!.GetValue<int>());
        Assert.Equal("$.error.CreateClient", createClient["Catch"]![0]!["ResultPath"]!.GetValue<string>());
        Assert.Contains(Steps.IdempotencyKeys.Form, createClient["Comment"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
