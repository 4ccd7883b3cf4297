using System.Diagnostics;

namespace LeadFlow.TestSupport;

/// <summary>Runs a node script of tests/node (the browser tests' drivers) and collects what it printed.</summary>
public static class NodeScript
{
    /// <summary>
    /// Runs <c>node</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> and waits for it to exit.
    /// Throws <see cref="TimeoutException"/> (after killing it and its children) when it runs longer than <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the browser test did not finish in {timeout.TotalMinutes:0} minutes: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
