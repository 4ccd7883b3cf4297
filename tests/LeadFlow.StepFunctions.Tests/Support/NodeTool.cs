using System.Diagnostics;
using System.Text;

namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>Runs a Node script of tests/node (its node_modules installed by test.sh / npm ci).</summary>
public static class NodeTool
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Result> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        if (!Directory.Exists(Path.Combine(RepositoryPaths.NodeTools, "node_modules")))
        {
            throw new InvalidOperationException("tests/node/node_modules is missing: run `npm ci` in tests/node (test.sh does)");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.NodeTools,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = new StringBuilder();
        var error = new StringBuilder();
        var reading = Task.WhenAll(
            process.StandardOutput.ReadToEndAsync().ContinueWith(t => output.Append(t.Result), TaskScheduler.Default),
            process.StandardError.ReadToEndAsync().ContinueWith(t => error.Append(t.Result), TaskScheduler.Default));
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {string.Join(' ', arguments)} did not finish in time; stderr so far: {error}");
        }

        await reading;
        return new Result(process.ExitCode, output.ToString(), error.ToString());
    }
}
