namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>Files of the repository the tests check, found from the test's output folder upwards.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LeadFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"LeadFlow.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

    public static string StepFunctions => Path.Combine(Root, "StepFunctions");

    public static string Definition => Path.Combine(StepFunctions, LeadOnboardingStateMachine.DefinitionFileName);

    public static string Template => Path.Combine(StepFunctions, "template.yaml");

    public static string NodeTools => Path.Combine(Root, "tests", "node");
}
