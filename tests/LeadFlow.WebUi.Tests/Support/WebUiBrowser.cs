using System.Diagnostics;

namespace LeadFlow.WebUi.Tests.Support;

/// <summary>Runs tests/node/webui-test.mjs (playwright-core driving Debian's Chromium) for the browser tests.</summary>
public static class WebUiBrowser
{
    /// <summary>tests/node, found above the test assembly (it holds webui-test.mjs and its node_modules).</summary>
    public static string FindNodeTools()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "node");
            if (File.Exists(Path.Combine(candidate, "webui-test.mjs")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/node/webui-test.mjs not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs node in <paramref name="workingDirectory"/>; killed after 6 minutes.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunNodeAsync(string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the browser test did not finish in 6 minutes: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
