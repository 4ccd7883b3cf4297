using System.Diagnostics;

namespace LeadFlow.TestSupport.Publishing;

/// <summary>
/// <c>dotnet publish &lt;project&gt; -c Release -o &lt;folder&gt;</c> of one of the repository's projects, as a person
/// would type it, from a test or benchmark. One publish at a time per process: publishes of projects that share
/// libraries would otherwise build the same library at once. The build is incremental, so after the
/// solution's build a publish mostly copies (and compiles ReadyToRun where the project asks for it); with
/// <c>noBuild</c> it builds nothing at all.
/// </summary>
public static class DotnetPublish
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private static readonly Lazy<string> Root = new(() =>
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

    /// <summary>The repository's root folder (the one holding LeadFlow.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>Publishes <paramref name="project"/> into <paramref name="outputFolder"/>, emptied first.</summary>
    /// <param name="project">The project's folder or .csproj, relative to the repository root (<c>Worker</c>, <c>Ingress/LeadFlow.Ingress.Lambda</c>).</param>
    /// <param name="outputFolder">Where the published files go.</param>
    /// <param name="properties">Extra MSBuild properties (<c>-p:Name=Value</c>), e.g. <c>PublishReadyToRun=false</c>.</param>
    /// <param name="configuration"><c>Release</c> unless told.</param>
    /// <param name="noBuild">
    /// Publish what is built (<c>--no-build</c>): for a caller that had the project built first and may run while
    /// another build of the same projects is under way (a test under <c>dotnet test LeadFlow.sln</c>).
    /// </param>
    /// <param name="cancellationToken">Stops waiting (the publish is killed).</param>
    /// <exception cref="InvalidOperationException">The publish failed; the message holds its output.</exception>
    public static async Task<PublishResult> RunAsync(
        string project,
        string outputFolder,
        IReadOnlyDictionary<string, string>? properties = null,
        string configuration = "Release",
        bool noBuild = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        var projectFile = ProjectFile(project);
        if (Directory.Exists(outputFolder))
        {
            Directory.Delete(outputFolder, recursive: true);
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        // No node reuse and no compiler server: nothing this publish starts may outlive it (a test host waits for such children).
        string[] arguments = ["publish", projectFile, "-c", configuration, "-o", outputFolder, "-nologo", "-v:q", "-nodeReuse:false", "-p:UseSharedCompilation=false"];
        foreach (var argument in arguments.Concat(noBuild ? ["--no-build"] : []).Concat((properties ?? new Dictionary<string, string>()).Select(p => $"-p:{p.Key}={p.Value}")))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        await OneAtATime.WaitAsync(cancellationToken);
        try
        {
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"dotnet {string.Join(' ', start.ArgumentList)} did not finish within {Timeout.TotalMinutes} min");
            }

            var log = await stdout + await stderr;
            return process.ExitCode == 0
                ? new PublishResult(project, projectFile, outputFolder, clock.Elapsed)
                : throw new InvalidOperationException($"dotnet {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}:\n{log}");
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    private static string ProjectFile(string project)
    {
        var path = Path.Combine(RepositoryRoot, project);
        if (File.Exists(path))
        {
            return path;
        }

        var projects = Directory.Exists(path) ? Directory.GetFiles(path, "*.csproj") : [];
        return projects.Length == 1 ? projects[0] : throw new ArgumentException($"{project} is not a project file or a folder holding exactly one", nameof(project));
    }
}

/// <summary>A finished publish.</summary>
/// <param name="Project">The project as given (repository-relative).</param>
/// <param name="ProjectFile">Its .csproj, full path.</param>
/// <param name="Folder">The published files.</param>
/// <param name="Took">How long the publish ran (build included).</param>
public sealed record PublishResult(string Project, string ProjectFile, string Folder, TimeSpan Took)
{
    /// <summary>The bytes of every file under <see cref="Folder"/>.</summary>
    public long SizeInBytes => new DirectoryInfo(Folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>Size in MB of 2^20 bytes, as <c>du -h</c> and AWS's Lambda quotas count them.</summary>
    public static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MB";
}
