using System.Text.Json.Nodes;
using LeadFlow.StepFunctions.Tests.Support;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>The definition is valid ASL (asl-validator) and passes the checks the validator does not make.</summary>
public sealed class DefinitionTests
{
    [Fact]
    public async Task AslValidator_AcceptsTheDefinition_AsCommittedAndWithArnsSubstituted()
    {
        Assert.Empty(await ValidateAsync(AslDocument.Load()));
        Assert.Empty(await ValidateAsync(AslDocument.LoadWithLocalArns()));
    }

    [Fact]
    public async Task AslValidator_RejectsABrokenDefinition()
    {
        var broken = AslDocument.Load();
        AslDocument.State(broken, "CreateClient")["Type"] = "Taks";

        Assert.NotEmpty(await ValidateAsync(broken));
    }

    [Fact]
    public void Definition_PassesOurChecks() => Assert.Empty(AslChecks.Problems(AslDocument.Load()));

    public static TheoryData<string> Breakages => ["BackoffBelowOne", "AllNotLast", "AllMixed", "MissingTarget", "Unreachable", "TaskWithoutCatch"];

    [Theory]
    [MemberData(nameof(Breakages))]
    public void OurChecks_CatchWhatTheValidatorMisses(string breakage)
    {
        var definition = AslDocument.Load();
        var task = AslDocument.State(definition, "CreatePartner");
        var retry = task["Retry"]!.AsArray();
        switch (breakage)
        {
            case "BackoffBelowOne":
                retry[1]!["BackoffRate"] = 0.5;
                break;
            case "AllNotLast":
                var all = retry[^1]!;
                retry.Remove(all);
                retry.Insert(0, all);
                break;
            case "AllMixed":
                retry[^1]!["ErrorEquals"]!.AsArray().Add("CrmUnavailable");
                break;
            case "MissingTarget":
                task["Next"] = "CreateBenefitt";
                break;
            case "Unreachable":
                AslDocument.States(definition)["Orphan"] = new JsonObject { ["Type"] = "Succeed" };
                break;
            case "TaskWithoutCatch":
                task.Remove("Catch");
                break;
        }

        Assert.NotEmpty(AslChecks.Problems(definition));
    }

    private static async Task<string> ValidateAsync(JsonObject definition)
    {
        var file = Path.Combine(Path.GetTempPath(), $"leadflow-asl-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, definition.ToJsonString());
        try
        {
            var result = await NodeTool.RunAsync(["node_modules/asl-validator/dist/bin/asl-validator.js", "--json-path", file]);
            return result.ExitCode == 0 ? "" : $"exit {result.ExitCode}: {result.StandardOutput}{result.StandardError}";
        }
        finally
        {
            File.Delete(file);
        }
    }
}
