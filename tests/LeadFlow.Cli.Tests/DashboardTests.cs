using System.Text.Json;
using LeadFlow.Cli.Tests.Support;
using LeadFlow.TestSupport;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// The Aspire dashboard the local stack starts (as <c>leadflow up</c> does): a lead sent through the web form is listed
/// by its telemetry API as one trace from the intake to the SQL, and its trace page draws in Chromium
/// (tests/node/dashboard-test.mjs; screenshot <c>artifacts/dashboard-trace.png</c>).
/// </summary>
[Collection(DashboardStackCollection.Name)]
public sealed class DashboardTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task WebFormLead_IsOneTraceInTheDashboard_AndItsPageDraws()
    {
        Assert.True(stack.Stack.Dashboard is not null, $"the stack started no dashboard; its logs: {string.Join(" | ", stack.Logs.Lines.TakeLast(5))}");
        var nodeTools = RepositoryRoot.Combine("tests", "node");
        Assert.True(Directory.Exists(Path.Combine(nodeTools, "node_modules", "playwright-core")), "tests/node/node_modules is missing: run `npm ci` in tests/node (test.sh does)");
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is missing: apt-get install -y chromium (test.sh does)");
        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.Delete(Path.Combine(artifacts, "dashboard-trace.png"));

        var (exitCode, stdout, stderr) = await NodeScript.RunAsync(nodeTools, ["dashboard-test.mjs", stack.Stack.IntakeUrl.ToString(), artifacts, stack.Stack.Dashboard!.Url.ToString()], TimeSpan.FromMinutes(3));
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        Assert.True(exitCode == 0, $"the browser test failed: {stdout} {stderr}");
        using var report = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
        var names = report.RootElement.GetProperty("spanNames").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Contains("StartWorkflow:LeadOnboardingWorkflow", names);
        Assert.Contains("RunActivity:CreateBenefit", names);
        Assert.Matches("^[0-9a-f]{32}$", report.RootElement.GetProperty("traceId").GetString());
        Assert.True(new FileInfo(Path.Combine(artifacts, "dashboard-trace.png")).Length > 10_000, "the trace page's screenshot is missing or empty");
    }
}
