using System.Text.Json;
using LeadFlow.WebUi.Tests.Support;
using LeadFlow.TestSupport;
using Xunit.Abstractions;

namespace LeadFlow.WebUi.Tests;

/// <summary>
/// The real Temporal Web UI served by the embedded server, in headless Chromium (tests/node/webui-test.mjs):
/// what a person running leads sees. Screenshots: bin/&lt;configuration&gt;/net10.0/artifacts/webui-*.png.
/// </summary>
[Collection(WebUiCollection.Name)]
public sealed class BrowserTests(WebUiFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task WebUi_ListsEveryLeadWithItsStatus_FiltersBySearchAttribute_AndShowsTheFailedRunsHistoryAndInput()
    {
        Assert.True(fixture.UiUnavailable is null, fixture.UiUnavailable);
        var nodeTools = WebUiBrowser.FindNodeTools();
        Assert.True(Directory.Exists(Path.Combine(nodeTools, "node_modules", "playwright-core")), "tests/node/node_modules is missing: run `npm ci` in tests/node (test.sh does)");
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is missing: apt-get install -y chromium (test.sh does)");
        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        var failed = fixture.Leads[SampleOutcome.FailedAtBenefit];
        var spec = new
        {
            @namespace = WebUiFixture.Namespace,
            workflows = new[]
            {
                Row(SampleOutcome.Completed, "Completed"),
                Row(SampleOutcome.Rejected, "Failed"),
                Row(SampleOutcome.FailedAtBenefit, "Failed"),
                Row(SampleOutcome.Waiting, "Running"),
            },
            filter = new { query = "LeadOutcome=\"Rejected\"", expectIds = new[] { WebUiFixture.WorkflowIdFor(SampleOutcome.Rejected) } },
            failed = new
            {
                id = failed.Id,
                runId = failed.ResultRunId,
                activity = "CreateBenefit",
                texts = new[] { SampleLeadWorkflow.BenefitFailureMessage },
                inputTexts = new[] { "Carla", "MAIPU" },
            },
        };

        var (exitCode, stdout, stderr) = await NodeScript.RunAsync(nodeTools, ["webui-test.mjs", fixture.Server.WebUiUrl!.ToString(), artifacts, JsonSerializer.Serialize(spec)], TimeSpan.FromMinutes(6));
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "{}";
        using var result = JsonDocument.Parse(lastLine);
        foreach (var screenshot in result.RootElement.GetProperty("screenshots").EnumerateArray())
        {
            output.WriteLine($"screenshot: {screenshot.GetString()}");
        }

        Assert.True(exitCode == 0, $"the browser test failed: {stdout} {stderr}");
        foreach (var name in new[] { "webui-workflows", "webui-filtered", "webui-failed-history", "webui-failed-event" })
        {
            Assert.True(File.Exists(Path.Combine(artifacts, $"{name}.png")), $"{name}.png was not saved");
        }
    }

    private object Row(SampleOutcome outcome, string status) =>
        new { id = WebUiFixture.WorkflowIdFor(outcome), runId = fixture.Leads[outcome].ResultRunId, status };
}
