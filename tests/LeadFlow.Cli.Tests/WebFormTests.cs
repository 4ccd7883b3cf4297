using System.Diagnostics;
using System.Text.Json;
using LeadFlow.Cli.Tests.Support;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary>The lead form served by the intake, driven in headless Chromium (tests/node/webform-test.mjs) against the real stack.</summary>
[Collection(StackCollection.Name)]
public sealed class WebFormTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task WebForm_ValidLeadCompletes_InvalidRutIsHintedAndRejectedWithTheReason()
    {
        var nodeTools = RepositoryRoot.Combine("tests", "node");
        Assert.True(Directory.Exists(Path.Combine(nodeTools, "node_modules", "playwright-core")), "tests/node/node_modules is missing: run `npm ci` in tests/node (test.sh does)");
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is missing: apt-get install -y chromium (test.sh does)");
        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");

        var (exitCode, stdout, stderr) = await RunNodeAsync(nodeTools, ["webform-test.mjs", stack.Stack.IntakeUrl.ToString(), artifacts]);
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "{}";
        using var result = JsonDocument.Parse(lastLine);
        foreach (var screenshot in result.RootElement.GetProperty("screenshots").EnumerateArray())
        {
            output.WriteLine($"screenshot: {screenshot.GetString()}");
        }

        Assert.True(exitCode == 0, $"the browser test failed: {stdout} {stderr}");
        Assert.Contains("Lead completed: client", result.RootElement.GetProperty("completed").GetString(), StringComparison.Ordinal);
        Assert.Contains("rut: check digit does not match", result.RootElement.GetProperty("rejected").GetString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(artifacts, "webform-completed.png")));
        Assert.True(File.Exists(Path.Combine(artifacts, "webform-rejected.png")));
    }

    [Fact]
    public async Task WebForm_IsServedWithItsScriptAndStyles()
    {
        using var http = new HttpClient { BaseAddress = stack.Stack.IntakeUrl };

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<label for=\"rut\">RUT</label>", page, StringComparison.Ordinal);
        Assert.Contains("aria-live", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
        Assert.Contains("rutCheckDigit", await http.GetStringAsync(new Uri("/lead-form.js", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Contains("#status", await http.GetStringAsync(new Uri("/lead-form.css", UriKind.Relative)), StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunNodeAsync(string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the browser test did not finish in 3 minutes: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
