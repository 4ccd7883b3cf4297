using System.Reflection;
using System.Security.Cryptography;

namespace LeadFlow.EmbeddedTemporal;

/// <summary>What <see cref="WebUiAssets"/> found: the folder of a built UI, or why there is none and how to get it.</summary>
/// <param name="Directory">Folder with index.html and _app/ to give <see cref="EmbeddedTemporalOptions.WebUiAssetsDirectory"/>; null when unavailable.</param>
/// <param name="Message">One line for a person: where the UI comes from, or what to do to get it.</param>
/// <param name="Built">True when this call built it (the first run on a machine), false when it came from the cache.</param>
public sealed record WebUiAssetsResult(string? Directory, string Message, bool Built)
{
    /// <summary>Whether <see cref="Directory"/> holds a built UI.</summary>
    public bool IsAvailable => Directory is not null;
}

/// <summary>Settings of <see cref="WebUiAssets.LocateOrBuildAsync"/>; every default works locally and in CI.</summary>
public sealed class WebUiBuildOptions
{
    /// <summary>Root of the cache; null: <see cref="WebUiAssets.DefaultCacheRoot"/>.</summary>
    public string? CacheRoot { get; set; }

    /// <summary>Build with npm when the cache has no UI for these sources (default), or only look.</summary>
    public bool BuildIfMissing { get; set; } = true;

    /// <summary>How long <c>npm ci</c> plus <c>npm run build</c> may take together (default 10 minutes).</summary>
    public TimeSpan BuildTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The npm executable; null: <c>npm</c> from the PATH.</summary>
    public string? NpmPath { get; set; }

    /// <summary>Progress lines (building, where, how long), for a CLI to print.</summary>
    public Action<string>? Log { get; set; }
}

/// <summary>
/// Finds the built Temporal Web UI of the embedded server, building it with npm on first use.
/// <para>
/// The UI's npm project (EmbeddedTemporal/WebUi: package.json, the pinned package-lock.json and LeadFlow's
/// SvelteKit routes around the @temporalio/ui components) is embedded in this assembly. Its SHA-256 is the
/// cache key: the built UI lives in <c>&lt;cache root&gt;/&lt;key&gt;/</c>, where the cache root is
/// <c>$LEADFLOW_WEBUI_CACHE</c>, else <c>$XDG_CACHE_HOME/leadflow/webui</c>, else <c>~/.cache/leadflow/webui</c>.
/// A build extracts the project to a work folder beside it and runs <c>npm ci</c> and <c>npm run build</c>
/// (about a minute with a warm npm cache); concurrent callers wait for one build. Without npm on the PATH the
/// result says how to get the UI, and a server started without it serves its API and a page saying the same.
/// </para>
/// </summary>
public static class WebUiAssets
{
    /// <summary>Environment variable naming the cache root.</summary>
    public const string CacheRootVariable = "LEADFLOW_WEBUI_CACHE";

    /// <summary>
    /// Environment variable naming a built UI folder to use as it is, whatever the cache holds (for work on the UI
    /// itself: <c>npm run build</c> in EmbeddedTemporal/WebUi, then point this at its <c>build</c> folder).
    /// </summary>
    public const string DirectoryVariable = "LEADFLOW_WEBUI_DIR";

    private const string ResourcePrefix = "WebUi/";
    private const string CompleteMarker = ".leadflow-webui-complete";

    private static readonly Lazy<string> Hash = new(ComputeSourceHash);

    /// <summary>First 16 hex digits of the SHA-256 of the embedded npm project: the cache key.</summary>
    public static string SourceHash => Hash.Value;

    /// <summary>The cache root when none is given (see the class summary).</summary>
    public static string DefaultCacheRoot =>
        Environment.GetEnvironmentVariable(CacheRootVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                    ? xdg
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "leadflow",
                "webui");

    /// <summary>The cached UI for these sources, without building.</summary>
    public static WebUiAssetsResult Locate(string? cacheRoot = null)
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } chosen)
        {
            return File.Exists(Path.Combine(chosen, "index.html"))
                ? new WebUiAssetsResult(Path.GetFullPath(chosen), $"Temporal Web UI from {chosen} ({DirectoryVariable})", Built: false)
                : new WebUiAssetsResult(null, HowToGetIt($"{DirectoryVariable}={chosen} holds no index.html"), Built: false);
        }

        var directory = Path.Combine(cacheRoot ?? DefaultCacheRoot, SourceHash);
        return File.Exists(Path.Combine(directory, CompleteMarker))
            ? new WebUiAssetsResult(directory, $"Temporal Web UI from the cache {directory}", Built: false)
            : new WebUiAssetsResult(null, HowToGetIt($"it is not built yet (no {directory})"), Built: false);
    }

    /// <summary>
    /// The cached UI, or a fresh build of it when npm is available. Never throws for a missing or failing build:
    /// the result then carries the reason (with npm's last output lines) and how to get the UI.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (a running npm is killed).</exception>
    public static async Task<WebUiAssetsResult> LocateOrBuildAsync(WebUiBuildOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new WebUiBuildOptions();
        var root = options.CacheRoot ?? DefaultCacheRoot;
        var found = Locate(root);
        if (found.IsAvailable || !options.BuildIfMissing || Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 })
        {
            return found;
        }

        var npm = options.NpmPath ?? NpmBuild.FindOnPath("npm");
        if (npm is null)
        {
            return new WebUiAssetsResult(null, HowToGetIt("Node.js (npm) is not on the PATH to build it"), Built: false);
        }

        Directory.CreateDirectory(root);
        await using var buildLock = await NpmBuild.LockAsync(Path.Combine(root, ".build.lock"), options.BuildTimeout, cancellationToken).ConfigureAwait(false);
        found = Locate(root);
        if (found.IsAvailable)
        {
            return found;
        }

        var work = Path.Combine(root, $"work-{SourceHash}");
        try
        {
            ExtractSources(work);
            options.Log?.Invoke($"Building the Temporal Web UI with npm in {work} (first use on this machine; about a minute)...");
            var failure = await NpmBuild.RunAsync(npm, work, options.BuildTimeout, options.Log, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return new WebUiAssetsResult(null, HowToGetIt($"the npm build failed: {failure}"), Built: false);
            }

            var target = Path.Combine(root, SourceHash);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(Path.Combine(work, "build"), target);
            await File.WriteAllTextAsync(Path.Combine(target, CompleteMarker), SourceHash, cancellationToken).ConfigureAwait(false);
            RemoveOtherBuilds(root);
            return new WebUiAssetsResult(target, $"Temporal Web UI built into {target}", Built: true);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>Builds of earlier sources are never used again: they go once a newer one is in place.</summary>
    private static void RemoveOtherBuilds(string root)
    {
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(directory);
            if (name != SourceHash && name.Length == SourceHash.Length && name.All(char.IsAsciiHexDigitLower)
                && File.Exists(Path.Combine(directory, CompleteMarker)))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static string HowToGetIt(string reason) =>
        $"Temporal Web UI: {reason}. The server runs on without it (the HTTP API answers under /api/v1). " +
        "To get the UI install Node.js 20+ with npm (e.g. `sudo apt-get install -y nodejs npm`) and run once " +
        "`dotnet run --project EmbeddedTemporal -- --ui-build only`, which builds it into the cache " +
        $"({DefaultCacheRoot}; set {CacheRootVariable} to move it).";

    private static IEnumerable<string> ResourceNames() =>
        typeof(WebUiAssets).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static void ExtractSources(string work)
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        foreach (var name in ResourceNames())
        {
            var file = Path.Combine(work, name[ResourcePrefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using var source = Open(name);
            using var target = File.Create(file);
            source.CopyTo(target);
        }
    }

    private static Stream Open(string name) =>
        typeof(WebUiAssets).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Resource {name} is missing.");

    private static string ComputeSourceHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in ResourceNames())
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
            using var stream = Open(name);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            sha.AppendData(buffer.ToArray());
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}
