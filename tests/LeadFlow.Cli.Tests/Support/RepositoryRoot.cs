namespace LeadFlow.Cli.Tests.Support;

/// <summary>The repository's root, found from the test's output folder upwards.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "LeadFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"LeadFlow.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Path => Root.Value;

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);
}
