using System.Text.Json;
using LeadFlow.Cli.Tests.Support;
using LeadFlow.TestSupport;
using Temporalio.Client;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// The lead form served by the intake, driven in headless Chromium against the real stack: tests/node/webform-test.mjs
/// (hints, a completed and a rejected lead) and webform-double-submit-test.mjs (one event id, one workflow per form).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class WebFormTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task WebForm_ValidLeadCompletes_InvalidRutIsHintedAndRejectedWithTheReason()
    {
        var (exitCode, result, report) = await RunBrowserTestAsync("webform-test.mjs");
        using var _ = result;

        Assert.True(exitCode == 0, $"the browser test failed: {report}");
        Assert.Contains("Lead completed: client", result.RootElement.GetProperty("completed").GetString(), StringComparison.Ordinal);
        Assert.Contains("rut: check digit does not match", result.RootElement.GetProperty("rejected").GetString(), StringComparison.Ordinal);
        var hints = result.RootElement.GetProperty("hints");
        Assert.Contains("check digit missing", hints.GetProperty("rutMissingCheckDigit").GetString(), StringComparison.Ordinal);
        Assert.Contains("no dot at the end", hints.GetProperty("mailRootDot").GetString(), StringComparison.Ordinal);
        Assert.Contains("single dots", hints.GetProperty("mailDoubleDot").GetString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Artifacts, "webform-completed.png")));
        Assert.True(File.Exists(Path.Combine(Artifacts, "webform-rejected.png")));
        Assert.True(File.Exists(Path.Combine(Artifacts, "webform-hints.png")));
    }

    [Fact]
    public async Task WebForm_DoubleSubmitAndRetries_StartOneWorkflowPerForm()
    {
        var temporal = await TemporalClient.ConnectAsync(new(stack.Stack.Temporal.Address) { Namespace = stack.Stack.Settings.Namespace });
        var before = await RunsAsync(temporal);

        var (exitCode, result, report) = await RunBrowserTestAsync("webform-double-submit-test.mjs");
        using var _ = result;
        Assert.True(exitCode == 0, $"the browser test failed: {report}");

        // The tests of this collection run one at a time, so every run started meanwhile is the browser's.
        var started = (await RunsAsync(temporal)).Except(before).ToList();
        var forms = result.RootElement.GetProperty("forms").EnumerateArray().ToList();
        Assert.Equal(9, forms.Count);
        foreach (var form in forms)
        {
            var scenario = form.GetProperty("scenario").GetString();
            var workflowIds = form.GetProperty("keys").EnumerateArray().Select(k => $"lead-{k.GetString()}").ToHashSet();
            var runs = started.Where(r => workflowIds.Contains(r.WorkflowId)).ToList();
            Assert.True(runs.Count == 1, $"{scenario}: {runs.Count} workflow runs for one form ({form})");
        }

        Assert.Equal(forms.Count, started.Count);
        Assert.True(File.Exists(Path.Combine(Artifacts, "webform-double-click.png")));
        Assert.True(File.Exists(Path.Combine(Artifacts, "webform-in-flight.png")));
        Assert.True(File.Exists(Path.Combine(Artifacts, "webform-network-error.png")));
    }

    [Fact]
    public async Task WebForm_IsServedWithItsScriptAndStyles()
    {
        using var http = new HttpClient { BaseAddress = stack.Stack.IntakeUrl };

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<label for=\"rut\">RUT</label>", page, StringComparison.Ordinal);
        Assert.Contains("aria-live", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
        Assert.Contains("<script src=\"lead-rules.js\"", page, StringComparison.Ordinal);
        Assert.Contains("rutCheckDigit", await http.GetStringAsync(new Uri("/lead-rules.js", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Contains("Idempotency-Key", await http.GetStringAsync(new Uri("/lead-form.js", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Contains("#status", await http.GetStringAsync(new Uri("/lead-form.css", UriKind.Relative)), StringComparison.Ordinal);
    }

    private static string Artifacts => Path.Combine(AppContext.BaseDirectory, "artifacts");

    private static async Task<IReadOnlyList<(string WorkflowId, string RunId)>> RunsAsync(TemporalClient temporal)
    {
        var runs = new List<(string, string)>();
        await foreach (var run in temporal.ListWorkflowsAsync(""))
        {
            runs.Add((run.Id, run.RunId));
        }

        return runs;
    }

    /// <summary>Runs one of tests/node's browser scripts against the stack's form; its last stdout line is its JSON report.</summary>
    private async Task<(int ExitCode, JsonDocument Result, string Report)> RunBrowserTestAsync(string script)
    {
        var nodeTools = RepositoryRoot.Combine("tests", "node");
        Assert.True(Directory.Exists(Path.Combine(nodeTools, "node_modules", "playwright-core")), "tests/node/node_modules is missing: run `npm ci` in tests/node (test.sh does)");
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is missing: apt-get install -y chromium (test.sh does)");

        var (exitCode, stdout, stderr) = await NodeScript.RunAsync(nodeTools, [script, stack.Stack.IntakeUrl.ToString(), Artifacts], TimeSpan.FromMinutes(3));
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "{}";
        var result = JsonDocument.Parse(lastLine);
        if (result.RootElement.TryGetProperty("screenshots", out var screenshots))
        {
            foreach (var screenshot in screenshots.EnumerateArray())
            {
                output.WriteLine($"screenshot: {screenshot.GetString()}");
            }
        }

        return (exitCode, result, $"{stdout} {stderr}");
    }
}
