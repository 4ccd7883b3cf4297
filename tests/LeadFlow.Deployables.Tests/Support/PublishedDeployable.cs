using System.Text.Json;
using LeadFlow.TestSupport.Publishing;

namespace LeadFlow.Deployables.Tests.Support;

/// <summary>A deployable as <c>dotnet publish -c Release</c> leaves it: its files, what its runtimeconfig.json asks for, and its project's restore graph.</summary>
public sealed class PublishedDeployable
{
    private PublishedDeployable(PublishResult publish, IReadOnlyList<PublishedFile> files, string? runtimeConfig, IReadOnlyList<string> frameworks, ProjectGraph graph)
    {
        Publish = publish;
        Files = files;
        RuntimeConfig = runtimeConfig;
        Frameworks = frameworks;
        Graph = graph;
    }

    /// <summary>The project (repository-relative), its folder and how long the publish took.</summary>
    public PublishResult Publish { get; }

    /// <summary>The project as given, e.g. <c>Ingress/LeadFlow.Ingress.Lambda</c>.</summary>
    public string Project => Publish.Project;

    /// <summary>Every published file.</summary>
    public IReadOnlyList<PublishedFile> Files { get; }

    /// <summary>The <c>*.runtimeconfig.json</c> file's name, when there is one.</summary>
    public string? RuntimeConfig { get; }

    /// <summary>The shared frameworks the runtimeconfig.json names (<c>Microsoft.NETCore.App</c>, ...).</summary>
    public IReadOnlyList<string> Frameworks { get; }

    /// <summary>The project's restore graph.</summary>
    public ProjectGraph Graph { get; }

    /// <summary>The bytes of every published file.</summary>
    public long SizeInBytes => Files.Sum(f => f.Bytes);

    /// <summary>One line for the test output: the published size.</summary>
    public string Summary => $"{Project}: published {PublishResult.Megabytes(SizeInBytes)} ({SizeInBytes:N0} bytes, {Files.Count} files) in {Publish.Took.TotalSeconds:F0} s";

    /// <summary>Reads a finished publish.</summary>
    public static PublishedDeployable Read(PublishResult publish)
    {
        ArgumentNullException.ThrowIfNull(publish);
        var files = Directory.EnumerateFiles(publish.Folder, "*", SearchOption.AllDirectories)
            .Select(path => new PublishedFile(Path.GetRelativePath(publish.Folder, path).Replace('\\', '/'), path, new FileInfo(path).Length))
            .OrderBy(f => f.RelativePath, StringComparer.Ordinal)
            .ToList();
        var runtimeConfig = files.FirstOrDefault(f => f.RelativePath.EndsWith(".runtimeconfig.json", StringComparison.Ordinal) && !f.RelativePath.Contains('/', StringComparison.Ordinal));
        return new PublishedDeployable(
            publish, files, runtimeConfig?.RelativePath, runtimeConfig is null ? [] : FrameworksOf(runtimeConfig.FullPath), ProjectGraph.Read(publish.ProjectFile));
    }

    private static List<string> FrameworksOf(string runtimeConfig)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(runtimeConfig));
        var options = document.RootElement.GetProperty("runtimeOptions");
        var frameworks = new List<string>();
        if (options.TryGetProperty("framework", out var single))
        {
            frameworks.Add(single.GetProperty("name").GetString()!);
        }

        if (options.TryGetProperty("frameworks", out var many))
        {
            frameworks.AddRange(many.EnumerateArray().Select(f => f.GetProperty("name").GetString()!));
        }

        return frameworks;
    }
}

/// <summary>A published file.</summary>
/// <param name="RelativePath">Path inside the publish folder, with <c>/</c>.</param>
/// <param name="FullPath">Where it is on disk.</param>
/// <param name="Bytes">Its size.</param>
public sealed record PublishedFile(string RelativePath, string FullPath, long Bytes)
{
    private BinaryFile? _binary;

    /// <summary>The file name without folders.</summary>
    public string Name => Path.GetFileName(RelativePath);

    /// <summary>What its header says it is.</summary>
    public BinaryFile Binary => _binary ??= BinaryFile.Inspect(FullPath);
}
