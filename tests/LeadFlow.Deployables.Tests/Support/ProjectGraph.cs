using System.Text.Json;

namespace LeadFlow.Deployables.Tests.Support;

/// <summary>
/// A project's restore graph, read from its <c>obj/project.assets.json</c>: the packages and projects it references,
/// directly and through others, and the shared frameworks each of them asks for. It names the path by which a
/// library got in, so a wrong reference is found at its first wrong step.
/// </summary>
public sealed class ProjectGraph
{
    private readonly string _projectName;
    private readonly IReadOnlyList<string> _ownFrameworks;
    private readonly Dictionary<string, Library> _libraries;
    private readonly List<string> _direct;

    private ProjectGraph(string projectName, IReadOnlyList<string> ownFrameworks, Dictionary<string, Library> libraries, List<string> direct)
    {
        _projectName = projectName;
        _ownFrameworks = ownFrameworks;
        _libraries = libraries;
        _direct = direct;
    }

    /// <summary>A package or project of the graph.</summary>
    /// <param name="Name">Package id or project name.</param>
    /// <param name="Version">Its resolved version.</param>
    /// <param name="Type"><c>package</c> or <c>project</c>.</param>
    /// <param name="Dependencies">The names it depends on.</param>
    /// <param name="Frameworks">The shared frameworks it asks for (<c>frameworkReferences</c>).</param>
    public sealed record Library(string Name, string Version, string Type, IReadOnlyList<string> Dependencies, IReadOnlyList<string> Frameworks);

    /// <summary>Reads <c>obj/project.assets.json</c> next to <paramref name="projectFile"/> (written by the publish's restore).</summary>
    /// <exception cref="FileNotFoundException">The project was never restored.</exception>
    public static ProjectGraph Read(string projectFile)
    {
        var assets = Path.Combine(Path.GetDirectoryName(projectFile)!, "obj", "project.assets.json");
        if (!File.Exists(assets))
        {
            throw new FileNotFoundException($"{assets} is missing; restore {projectFile} first", assets);
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(assets));
        var root = document.RootElement;
        // The framework-only target ("net10.0"); a RID-specific one ("net10.0/linux-x64") holds the same graph.
        var target = root.GetProperty("targets").EnumerateObject().First(t => !t.Name.Contains('/', StringComparison.Ordinal));
        var libraries = new Dictionary<string, Library>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in target.Value.EnumerateObject())
        {
            var (name, version) = (entry.Name.Split('/')[0], entry.Name.Split('/')[1]);
            libraries[name] = new Library(
                name,
                version,
                entry.Value.GetProperty("type").GetString()!,
                entry.Value.TryGetProperty("dependencies", out var dependencies) ? [.. dependencies.EnumerateObject().Select(d => d.Name)] : [],
                entry.Value.TryGetProperty("frameworkReferences", out var frameworks) ? [.. frameworks.EnumerateArray().Select(f => f.GetString()!)] : []);
        }

        var direct = root.GetProperty("projectFileDependencyGroups").EnumerateObject().First(g => g.Name == target.Name).Value
            .EnumerateArray().Select(d => d.GetString()!.Split(' ')[0]).ToList();
        var project = root.GetProperty("project");
        var ownFrameworks = project.GetProperty("frameworks").EnumerateObject().First().Value.TryGetProperty("frameworkReferences", out var own)
            ? own.EnumerateObject().Select(f => f.Name).ToList()
            : [];
        return new ProjectGraph(project.GetProperty("restore").GetProperty("projectName").GetString()!, ownFrameworks, libraries, direct);
    }

    /// <summary>Every library of the graph, direct or not.</summary>
    public IEnumerable<Library> Libraries => _libraries.Values;

    /// <summary>
    /// How each library matching <paramref name="wrong"/> got into the graph, shortest path first, e.g.
    /// <c>LeadFlow.StepFunctions.Lambdas -> LeadFlow.Steps (project) -> LeadFlow.Temporal (project) -> Temporalio 1.21.1 (package)</c>.
    /// </summary>
    public IEnumerable<string> PathsTo(Func<Library, bool> wrong)
    {
        ArgumentNullException.ThrowIfNull(wrong);
        foreach (var (library, path) in BreadthFirst())
        {
            if (wrong(library))
            {
                yield return Render(path);
            }
        }
    }

    /// <summary>How the shared framework <paramref name="framework"/> got in: the project's own reference or a library asking for it.</summary>
    public IEnumerable<string> PathsToFramework(string framework)
    {
        if (_ownFrameworks.Contains(framework, StringComparer.OrdinalIgnoreCase))
        {
            yield return $"{_projectName} -> {framework} (its own FrameworkReference, or Microsoft.NET.Sdk.Web)";
        }

        foreach (var (library, path) in BreadthFirst())
        {
            if (library.Frameworks.Contains(framework, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{Render(path)} -> {framework} (framework)";
            }
        }
    }

    private IEnumerable<(Library Library, List<Library> Path)> BreadthFirst()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<List<Library>>();
        foreach (var name in _direct.Where(n => _libraries.ContainsKey(n)))
        {
            seen.Add(name);
            queue.Enqueue([_libraries[name]]);
        }

        while (queue.TryDequeue(out var path))
        {
            var library = path[^1];
            yield return (library, path);
            foreach (var dependency in library.Dependencies.Where(d => _libraries.ContainsKey(d) && seen.Add(d)))
            {
                queue.Enqueue([.. path, _libraries[dependency]]);
            }
        }
    }

    private string Render(List<Library> path) =>
        string.Join(" -> ", path.Select(l => l.Type == "project" ? $"{l.Name} (project)" : $"{l.Name} {l.Version} (package)").Prepend(_projectName));
}
