using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;

namespace LeadFlow.LambdaRuntime;

/// <summary>
/// The assemblies of one published Lambda bundle, as AWS's managed runtime sees them: the bundle's own
/// copies (its <c>.deps.json</c>, through <see cref="AssemblyDependencyResolver"/>) win over anything this
/// process carries, and what the bundle does not hold may only come from the shared frameworks its
/// <c>.runtimeconfig.json</c> names. Anything else fails to load, naming the assembly, rather than being
/// quietly borrowed from this tool.
/// </summary>
public sealed class FunctionLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly string _bundle;
    private readonly HashSet<string> _frameworkAssemblies;

    /// <param name="mainAssemblyPath">The handler's assembly inside the bundle.</param>
    /// <param name="frameworks">The shared frameworks the bundle's runtimeconfig.json names (e.g. <c>Microsoft.NETCore.App</c>).</param>
    public FunctionLoadContext(string mainAssemblyPath, IReadOnlyCollection<string> frameworks)
        : base($"Lambda function {Path.GetFileNameWithoutExtension(mainAssemblyPath)}")
    {
        ArgumentNullException.ThrowIfNull(frameworks);
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
        _bundle = Path.GetDirectoryName(Path.GetFullPath(mainAssemblyPath))!;
        _frameworkAssemblies = FrameworkAssemblies(frameworks);
    }

    /// <summary>The shared frameworks named by a bundle's <c>*.runtimeconfig.json</c> (<c>framework</c> or <c>frameworks</c>).</summary>
    /// <exception cref="InvalidOperationException">The file names no framework.</exception>
    public static IReadOnlyList<string> FrameworksOf(string runtimeConfigPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(runtimeConfigPath));
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

        return frameworks.Count > 0 ? frameworks : throw new InvalidOperationException($"{runtimeConfigPath} names no shared framework");
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        ArgumentNullException.ThrowIfNull(assemblyName);
        if (_resolver.ResolveAssemblyToPath(assemblyName) is { } own)
        {
            return LoadFromAssemblyPath(own);
        }

        // Null: the default context loads it from the shared framework, as the managed runtime does.
        return assemblyName.Name is { } name && _frameworkAssemblies.Contains(name)
            ? null
            : throw new FileNotFoundException(
                $"{assemblyName} is neither in the bundle ({_bundle}) nor in a shared framework its runtimeconfig.json names; on AWS Lambda it would not load either.",
                assemblyName.Name);
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } own ? LoadUnmanagedDllFromPath(own) : IntPtr.Zero;

    /// <summary>
    /// The simple names of the assemblies this process's trusted platform list takes from the named shared
    /// frameworks (<c>.../shared/&lt;framework&gt;/&lt;version&gt;/*.dll</c>).
    /// </summary>
    private static HashSet<string> FrameworkAssemblies(IReadOnlyCollection<string> frameworks)
    {
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in trusted)
        {
            var versionFolder = Path.GetDirectoryName(path);
            var frameworkFolder = Path.GetDirectoryName(versionFolder);
            var sharedFolder = Path.GetDirectoryName(frameworkFolder);
            if (Path.GetFileName(sharedFolder) == "shared" && frameworks.Contains(Path.GetFileName(frameworkFolder), StringComparer.Ordinal))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }
}
