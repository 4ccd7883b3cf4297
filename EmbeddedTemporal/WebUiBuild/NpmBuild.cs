using System.Diagnostics;

namespace LeadFlow.EmbeddedTemporal;

/// <summary>Runs <c>npm ci</c> and <c>npm run build</c> for <see cref="WebUiAssets"/>, one build per cache at a time.</summary>
internal static class NpmBuild
{
    private const int OutputLinesKept = 15;

    public static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);

    /// <summary>An exclusive lock file: other processes building into the same cache wait for it.</summary>
    public static async Task<FileStream> LockAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another process is building; its result will be in the cache when it lets go.
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Null when both steps succeeded, else what failed with npm's last output lines.</summary>
    public static async Task<string?> RunAsync(string npm, string workDirectory, TimeSpan timeout, Action<string>? log, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var started = Stopwatch.StartNew();
        foreach (var arguments in new[] { new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" }, ["run", "build"] })
        {
            var step = $"npm {string.Join(' ', arguments)}";
            try
            {
                var (exitCode, output) = await RunOneAsync(npm, arguments, workDirectory, limit.Token).ConfigureAwait(false);
                if (exitCode != 0)
                {
                    return $"`{step}` exited with {exitCode}:{Environment.NewLine}{output}";
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return $"`{step}` did not finish within {timeout.TotalMinutes:0} minutes";
            }

            log?.Invoke($"{step}: done after {started.Elapsed.TotalSeconds:0} s");
        }

        return null;
    }

    private static async Task<(int ExitCode, string Output)> RunOneAsync(string npm, string[] arguments, string workDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(npm)
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No update check or telemetry on a build machine.
        start.Environment["npm_config_update_notifier"] = "false";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {npm}.");
        var tail = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > OutputLinesKept)
                {
                    tail.Dequeue();
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        lock (tail)
        {
            return (process.ExitCode, string.Join(Environment.NewLine, tail));
        }
    }
}
