using System.Collections.Concurrent;
using System.Diagnostics;
using LeadFlow.TestSupport;

namespace LeadFlow.Workflows.Tests.Support;

/// <summary>
/// A worker release run as its own operating-system process, as a deployment runs it: <c>dotnet &lt;assembly&gt;.dll</c>
/// from that project's own build output (the test project references the worker projects, so they are built with it;
/// their own folder, not the test's, has the packages their runtimeconfig expects), configured through environment
/// variables only. Stopped with SIGTERM (the host's
/// graceful shutdown), as an orchestrator stops a container.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    /// <summary>The current release's worker (<c>Worker/</c>).</summary>
    public const string CurrentRelease = "Worker/LeadFlow.Worker.dll";

    /// <summary>Release v1.0's worker: the production worker with v1.0's frozen workflow code (<c>tests/LeadFlow.ReleasedWorker</c>).</summary>
    public const string ReleaseV1_0 = "tests/LeadFlow.ReleasedWorker/LeadFlow.ReleasedWorker.dll";

    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly TaskCompletionSource polling = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process)
    {
        this.process = process;
    }

    /// <summary>The process id: the SDK's default worker identity is <c>&lt;pid&gt;@&lt;host&gt;</c>, as the history records it.</summary>
    public int Id => process.Id;

    /// <summary>Everything the process wrote so far (standard output and error).</summary>
    public string Output => string.Join('\n', output);

    /// <summary>Starts <paramref name="assembly"/> and waits until it polls its task queue.</summary>
    /// <param name="settings">Configuration keys as the host reads them (<c>Temporal:Address</c>), passed as environment variables (<c>Temporal__Address</c>).</param>
    /// <exception cref="InvalidOperationException">The process ended or did not poll within <paramref name="patience"/>; the message holds its output.</exception>
    public static async Task<WorkerProcess> StartAsync(string assembly, IEnumerable<KeyValuePair<string, string?>> settings, TimeSpan patience)
    {
        // <project folder>/bin/<configuration>/<framework>/, as this test project's own output folder.
        var testProject = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", ".."));
        var output = Path.GetRelativePath(testProject, AppContext.BaseDirectory);
        var path = Path.Combine(LeadFlow.TestSupport.Publishing.DotnetPublish.RepositoryRoot, Path.GetDirectoryName(assembly)!, output, Path.GetFileName(assembly));
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: the test project must reference the worker project that builds it.");
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { path },
            WorkingDirectory = Path.GetDirectoryName(path)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Test";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var worker = new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}"));
        worker.process.OutputDataReceived += (_, line) => worker.Take(line.Data);
        worker.process.ErrorDataReceived += (_, line) => worker.Take(line.Data);
        worker.process.BeginOutputReadLine();
        worker.process.BeginErrorReadLine();
        var exited = worker.process.WaitForExitAsync();
        var first = await Task.WhenAny(worker.polling.Task, exited, Task.Delay(patience));
        if (first != worker.polling.Task)
        {
            await worker.DisposeAsync();
            throw new InvalidOperationException($"{path} did not start polling within {patience}: {worker.Output}");
        }

        return worker;
    }

    /// <summary>SIGTERM, then waits for the graceful shutdown to end the process (killed after <paramref name="patience"/>).</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false }))
        {
            await kill!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Take(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        if (line.Contains("Worker polling task queue", StringComparison.Ordinal))
        {
            polling.TrySetResult();
        }
    }
}
