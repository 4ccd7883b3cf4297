using System.Text.Json;
using System.Text.RegularExpressions;
using LeadFlow.Cli;
using LeadFlow.Cli.Demo;
using LeadFlow.EmbeddedTemporal;
using LeadFlow.Temporal;
using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using LeadFlow.WebUi.Tests.Support;
using LeadFlow.Workflows;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Xunit.Abstractions;

namespace LeadFlow.WebUi.Tests;

/// <summary>
/// <c>leadflow demo --temporal Embedded --stay</c> through its real entry point (PostgreSQL, the embedded server with
/// its Web UI, backend, worker, intake), then the real Temporal Web UI in headless Chromium at the links the demo
/// printed: what a person running leads sees. Screenshots: bin/&lt;configuration&gt;/net10.0/artifacts/demo/webui-*.png.
/// </summary>
public sealed partial class DemoWebUiTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AfterTheDemo_WebUiListsEveryLead_FiltersTheRejectedOne_AndShowsTheCompensatedLeadsHistoryAndEvent()
    {
        var assets = await WebUiAssets.LocateOrBuildAsync(new WebUiBuildOptions { BuildTimeout = TimeSpan.FromMinutes(8) });
        Assert.True(assets.IsAvailable, assets.Message);
        var nodeTools = WebUiBrowser.FindNodeTools();
        Assert.True(Directory.Exists(Path.Combine(nodeTools, "node_modules", "playwright-core")), "tests/node/node_modules is missing: run `npm ci` in tests/node (test.sh does)");

        await using var demo = DemoRun.Start();
        var printed = await demo.WaitForAsync("Press Ctrl+C to stop", TimeSpan.FromMinutes(4));
        output.WriteLine(printed);
        var demoLeads = DemoLeads.Create("any", new Random());
        Assert.Contains($"Demo passed: all {demoLeads.Count} leads reached their expected outcome.", printed, StringComparison.Ordinal);

        var leads = LeadPages().Matches(printed).ToDictionary(m => m.Groups["label"].Value.Trim(), m => (Id: m.Groups["id"].Value, RunId: m.Groups["run"].Value));
        Assert.Equal(demoLeads.Select(lead => lead.Label).Order(), leads.Keys.Order());
        var ui = new Uri(UiRoot().Match(printed).Groups["ui"].Value);
        var address = TemporalAddress().Match(printed).Groups["address"].Value;

        // The demo's payloads are encrypted with its local key (printed); the UI decrypts them through the demo's codec
        // server once the browser opened the printed sign-in link.
        var keyFile = KeyFile().Match(printed).Groups["path"].Value;
        Assert.True(File.Exists(keyFile), $"the demo's key file '{keyFile}' is not where it said");
        var signIn = SignInLink().Match(printed).Groups["link"].Value;
        Assert.StartsWith("http://", signIn, StringComparison.Ordinal);
        var client = await TemporalClient.ConnectAsync(await TemporalConnectOptionsFactory.CreateAsync(new TemporalOptions
        {
            Address = address,
            Namespace = "default",
            Encryption = new PayloadEncryptionOptions { KeyFile = keyFile },
        }));

        // The compensated lead's CreateBenefit failure, as the server keeps it (encoded), decoded: the UI must show this text.
        var failed = leads["permanent failure"];
        var history = await client.GetWorkflowHandle(failed.Id, runId: failed.RunId).FetchHistoryAsync();
        var failure = history.Events.Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes.Failure;
        Assert.Equal("Encoded failure", failure.Message);
        await EncodedFailures.DecodeInPlaceAsync(client.Options.DataConverter, failure);
        var benefitFailure = failure.Message;
        Assert.StartsWith("CRM backend answered 422 to POST /create_benefit", benefitFailure, StringComparison.Ordinal);
        var failedHandle = client.GetWorkflowHandle<LeadOnboardingWorkflow>(failed.Id, runId: failed.RunId);
        Assert.Equal(LeadOutcome.Failed, (await failedHandle.QueryAsync(wf => wf.GetStatus())).Outcome);
        var summary = await (await failedHandle.DescribeAsync()).GetStaticSummaryAsync();
        Assert.Matches(@"^Lead Franz K\. · RUT \d{2}\*+-[\dK] · store VITACURA · demo$", summary);

        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts", "demo");
        var spec = new
        {
            @namespace = "default",
            signIn,
            workflows = leads.Select(lead => new
            {
                id = lead.Value.Id,
                runId = lead.Value.RunId,
                // Rejected and failed leads end the run Failed, so Temporal lists every lead that needs a person.
                status = demoLeads.Single(demoLead => demoLead.Label == lead.Key).Expected is LeadOutcome.Completed ? "Completed" : "Failed",
            }),
            filter = new { query = "LeadOutcome=\"Rejected\"", expectIds = new[] { leads["invalid RUT"].Id } },
            failed = new
            {
                id = failed.Id,
                runId = failed.RunId,
                activity = "CreateBenefit",
                texts = new[] { "CRM backend answered 422 to POST /create_benefit", "RecordFailure", "store VITACURA" },
                // The input panel shows the bus event itself: its id and the lead in its detail.
                inputTexts = new[] { failed.Id["lead-".Length..], "Franz", "VITACURA", "LeadSubmitted" },

                // The run's summary names the lead without the full RUT (the starter's StaticSummary).
                summaryTexts = new[] { "Lead Franz K. · RUT " },
            },
        };

        var (exitCode, stdout, stderr) = await NodeScript.RunAsync(nodeTools, ["webui-test.mjs", ui.ToString(), artifacts, JsonSerializer.Serialize(spec)], TimeSpan.FromMinutes(6));
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        Assert.True(exitCode == 0, $"the browser test failed: {stdout} {stderr}");
        foreach (var name in new[] { "webui-workflows", "webui-filtered", "webui-failed-history", "webui-failed-summary", "webui-failed-event" })
        {
            Assert.True(File.Exists(Path.Combine(artifacts, $"{name}.png")), $"{name}.png was not saved");
        }

        Assert.Equal(0, await demo.StopAsync());
    }

    // "  permanent failure    http://127.0.0.1:4242/namespaces/default/workflows/lead-demo-x-6/<run id>/history"
    [GeneratedRegex(@"^  (?<label>[a-zA-Z() ]+?) +http://[^/]+/namespaces/default/workflows/(?<id>lead-demo-[\w-]+)/(?<run>[0-9a-f-]{36})/history\s*$", RegexOptions.Multiline)]
    private static partial Regex LeadPages();

    [GeneratedRegex(@"Temporal Web UI +(?<ui>http://[^/\s]+/)namespaces/default/workflows")]
    private static partial Regex UiRoot();

    [GeneratedRegex(@"Temporal +embedded in-memory server at (?<address>[\d.]+:\d+)")]
    private static partial Regex TemporalAddress();

    // "  Encryption   payloads encrypted with the local key in /tmp/.../encryption-keys.json (made now; never commit it)"
    [GeneratedRegex(@"local key in (?<path>\S+encryption-keys\.json)")]
    private static partial Regex KeyFile();

    [GeneratedRegex(@"Decrypted payloads in it +open once, in the browser of the Web UI: (?<link>\S+)")]
    private static partial Regex SignInLink();

    /// <summary>The <c>leadflow</c> entry point running in this process, its output captured as it comes.</summary>
    private sealed class DemoRun : IAsyncDisposable
    {
        private readonly StringWriter _text = new();
        private readonly TextWriter _output;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<int> _run;

        private DemoRun()
        {
            _output = TextWriter.Synchronized(_text);
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(_output),
            });
            console.Profile.Width = 220;
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
            _run = Task.Run(() => LeadFlowCli.RunAsync(["demo", "--temporal", "Embedded", "--stay"], console, configuration, cancellationToken: _stop.Token));
        }

        public static DemoRun Start() => new();

        public string Text
        {
            get
            {
                lock (_output)
                {
                    return _text.ToString();
                }
            }
        }

        /// <summary>The output once it contains <paramref name="line"/>; fails with the output when the demo ends or time runs out first.</summary>
        public async Task<string> WaitForAsync(string line, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!Text.Contains(line, StringComparison.Ordinal))
            {
                Assert.False(_run.IsCompleted, $"the demo ended (exit {(_run.IsCompletedSuccessfully ? _run.Result : -1)}) before printing '{line}': {Text} {_run.Exception}");
                Assert.True(DateTime.UtcNow < deadline, $"the demo did not print '{line}' within {timeout}: {Text}");
                await Task.Delay(200);
            }

            return Text;
        }

        /// <summary>Ctrl+C: the demo stops its stack and returns its verdict.</summary>
        public async Task<int> StopAsync()
        {
            await _stop.CancelAsync();
            return await _run.WaitAsync(TimeSpan.FromMinutes(1));
        }

        public async ValueTask DisposeAsync()
        {
            if (!_run.IsCompleted)
            {
                await _stop.CancelAsync();
                await Task.WhenAny(_run, Task.Delay(TimeSpan.FromMinutes(1)));
            }

            _stop.Dispose();
        }
    }
}
