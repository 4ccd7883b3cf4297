using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;
using LeadFlow.TestSupport.Publishing;

namespace LeadFlow.Deployables.Tests.Support;

/// <summary>
/// A rule about what a deployable carries. <see cref="Violations"/> names each file (or the project reference) that
/// breaks it, with why, so a failing test says what to remove and where it came from.
/// </summary>
/// <param name="Name">The rule in a few words, e.g. "carries no Temporal SDK".</param>
/// <param name="Violations">Finds the files and references that break the rule.</param>
public sealed record DeployableRule(string Name, Func<PublishedDeployable, IEnumerable<string>> Violations)
{
    /// <summary>The shared framework of ASP.NET Core.</summary>
    public const string AspNetCoreFramework = "Microsoft.AspNetCore.App";

    /// <summary>The bar for a Lambda bundle: 50 MB (2^20 bytes each), AWS's limit for a zip uploaded directly, a fifth of the 250 MB unzipped limit.</summary>
    public const long LambdaSizeLimitBytes = 50L * 1024 * 1024;

    /// <summary>The project that holds the web form.</summary>
    private const string WebFormProject = "Ingress/LeadFlow.Ingress.Http";

    /// <summary>No ASP.NET Core: not named by runtimeconfig.json, no Microsoft.AspNetCore.* assembly, nothing in the graph that asks for it.</summary>
    public static DeployableRule NoAspNetCore { get; } = new("carries no ASP.NET Core", d =>
    [
        .. d.Frameworks.Where(f => f == AspNetCoreFramework).Select(f => $"{d.RuntimeConfig}: names the shared framework {f}"),
        .. d.Files.Where(f => f.Name.StartsWith("Microsoft.AspNetCore.", StringComparison.OrdinalIgnoreCase) && f.Binary.IsManaged)
            .Select(f => $"{f.RelativePath}: an ASP.NET Core assembly"),
        .. d.Graph.PathsToFramework(AspNetCoreFramework).Select(p => $"reference: {p}"),
        .. d.Graph.PathsTo(l => l.Type == "package" && l.Name.StartsWith("Microsoft.AspNetCore.", StringComparison.OrdinalIgnoreCase)).Select(p => $"reference: {p}"),
    ]);

    /// <summary>No Temporal SDK: no Temporalio*.dll, no libtemporalio native library, no Temporalio package in the graph.</summary>
    public static DeployableRule NoTemporalSdk { get; } = new("carries no Temporal SDK", d =>
    [
        .. d.Files.Where(f => f.Name.Contains("temporalio", StringComparison.OrdinalIgnoreCase))
            .Select(f => $"{f.RelativePath}: {(f.Binary.IsNative ? $"the Temporal SDK's native library ({f.Binary.Kind}, {f.Binary.Platform})" : "a Temporal SDK file")}"),
        .. d.Graph.PathsTo(l => l.Type == "package" && l.Name.StartsWith("Temporalio", StringComparison.OrdinalIgnoreCase)).Select(p => $"reference: {p}"),
    ]);

    /// <summary>No SQS SDK: no AWSSDK.SQS.dll, no AWSSDK.SQS package in the graph.</summary>
    public static DeployableRule NoSqsSdk { get; } = new("carries no AWS SQS SDK", d =>
    [
        .. d.Files.Where(f => f.Name.StartsWith("AWSSDK.SQS", StringComparison.OrdinalIgnoreCase)).Select(f => $"{f.RelativePath}: the AWS SQS SDK"),
        .. d.Graph.PathsTo(l => l.Type == "package" && l.Name.Equals("AWSSDK.SQS", StringComparison.OrdinalIgnoreCase)).Select(p => $"reference: {p}"),
    ]);

    /// <summary>No web form: no wwwroot folder, none of the form's files (by name, as the form's project holds them), no reference to that project.</summary>
    public static DeployableRule NoWebForm { get; } = new("carries no web form", d =>
    {
        var formFiles = Directory.GetFiles(Path.Combine(DotnetPublish.RepositoryRoot, WebFormProject, "wwwroot"), "*", SearchOption.AllDirectories)
            .Select(Path.GetFileName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return
        [
            .. d.Files.Where(f => f.RelativePath.Split('/').Contains("wwwroot", StringComparer.OrdinalIgnoreCase) || formFiles.Contains(f.Name))
                .Select(f => $"{f.RelativePath}: the web form ({WebFormProject}/wwwroot)"),
            .. d.Graph.PathsTo(l => l.Type == "project" && l.Name.Equals(Path.GetFileName(WebFormProject), StringComparison.OrdinalIgnoreCase)).Select(p => $"reference: {p}"),
        ];
    });

    /// <summary>Native files only for <paramref name="runtimeIdentifier"/>: no native library for another platform, no runtimes/ folder, deps.json for that runtime.</summary>
    public static DeployableRule NativeFilesOnlyFor(string runtimeIdentifier) => new($"carries native files for {runtimeIdentifier} only", d =>
    [
        .. d.Files.Where(f => f.Binary.IsNative && f.Binary.Platform != runtimeIdentifier)
            .Select(f => $"{f.RelativePath}: a native {f.Binary.Kind} library for {f.Binary.Platform}, not {runtimeIdentifier}"),
        .. d.Files.Where(f => f.RelativePath.StartsWith("runtimes/", StringComparison.Ordinal))
            .Select(f => $"{f.RelativePath}: a runtime-specific file left for the host to choose at start (publish for {runtimeIdentifier} flattens the one it needs)"),
        .. DepsJsonViolations(d, runtimeIdentifier),
    ]);

    /// <summary>The whole publish folder is under <paramref name="limitBytes"/>.</summary>
    public static DeployableRule SizeUnder(long limitBytes) => new($"is under {PublishResult.Megabytes(limitBytes)}", d =>
        d.SizeInBytes < limitBytes
            ? []
            : [$"{d.Project}: {PublishResult.Megabytes(d.SizeInBytes)} published; the largest files: "
                + string.Join(", ", d.Files.OrderByDescending(f => f.Bytes).Take(5).Select(f => $"{f.RelativePath} {PublishResult.Megabytes(f.Bytes)}"))]);

    /// <summary>Every assembly is compiled ReadyToRun, but those the project excludes by name (<c>PublishReadyToRunExclude</c>).</summary>
    public static DeployableRule ReadyToRun { get; } = new("is compiled ReadyToRun (but the assemblies its project excludes)", d =>
    {
        var excluded = XDocument.Load(d.Publish.ProjectFile).Descendants("PublishReadyToRunExclude")
            .Select(e => (string?)e.Attribute("Include")).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return d.Files.Where(f => f.Binary.IsManaged && !f.Binary.ReadyToRun && !excluded.Contains(f.Name))
            .Select(f => $"{f.RelativePath}: IL only, JIT-compiled at every cold start");
    });

    /// <summary>Every handler the SAM template names in this bundle's assembly exists: the assembly file, the type, the public method.</summary>
    public static DeployableRule HoldsTheTemplatesHandlers(string assemblyName) => new($"holds the handlers {SamTemplate.RelativePath} names in {assemblyName}", d =>
    {
        var handlers = SamTemplate.Handlers.Where(h => h.Assembly == assemblyName).ToList();
        if (handlers.Count == 0)
        {
            return [$"{SamTemplate.RelativePath}: names no handler in {assemblyName}"];
        }

        var assembly = d.Files.FirstOrDefault(f => f.RelativePath == assemblyName + ".dll");
        if (assembly is null)
        {
            return [$"{assemblyName}.dll: missing, the handlers' assembly ({string.Join(", ", handlers)})"];
        }

        var methods = PublicMethods(assembly.FullPath);
        return handlers.Where(h => !methods.Contains((h.Type, h.Method))).Select(h => $"{assembly.RelativePath}: has no public {h.Type}.{h.Method} ({h})");
    });

    private static IEnumerable<string> DepsJsonViolations(PublishedDeployable d, string runtimeIdentifier)
    {
        var deps = d.Files.FirstOrDefault(f => f.RelativePath.EndsWith(".deps.json", StringComparison.Ordinal) && !f.RelativePath.Contains('/', StringComparison.Ordinal));
        if (deps is null)
        {
            yield return $"{d.Project}: published no .deps.json";
            yield break;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(deps.FullPath));
        var target = document.RootElement.GetProperty("runtimeTarget").GetProperty("name").GetString()!;
        if (!target.EndsWith("/" + runtimeIdentifier, StringComparison.Ordinal))
        {
            yield return $"{deps.RelativePath}: targets {target}, not {runtimeIdentifier} (publish with RuntimeIdentifier {runtimeIdentifier}, StepFunctions/Lambda.props)";
        }

        foreach (var library in document.RootElement.GetProperty("targets").EnumerateObject().SelectMany(t => t.Value.EnumerateObject()))
        {
            if (!library.Value.TryGetProperty("runtimeTargets", out var runtimeTargets))
            {
                continue;
            }

            foreach (var asset in runtimeTargets.EnumerateObject().Where(a => a.Value.GetProperty("rid").GetString() != runtimeIdentifier))
            {
                yield return $"{deps.RelativePath}: {library.Name} lists {asset.Name} for {asset.Value.GetProperty("rid").GetString()}";
            }
        }
    }

    private static HashSet<(string Type, string Method)> PublicMethods(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var methods = new HashSet<(string, string)>();
        foreach (var typeHandle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(typeHandle);
            var fullName = $"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}";
            foreach (var method in type.GetMethods().Select(metadata.GetMethodDefinition)
                .Where(m => (m.Attributes & System.Reflection.MethodAttributes.MemberAccessMask) == System.Reflection.MethodAttributes.Public))
            {
                methods.Add((fullName, metadata.GetString(method.Name)));
            }
        }

        return methods;
    }
}
