using System.Text.RegularExpressions;
using LeadFlow.Cli.Tests.Support;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary><c>send</c>, <c>status</c>, <c>failures</c> and <c>redrive</c> against a running stack.</summary>
[Collection(StackCollection.Name)]
public sealed partial class VerbTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task SendFile_StartsOneWorkflowPerLead_AndStatusShowsTheCompletedLead()
    {
        var file = await WriteLeadsAsync($$"""
            [{"name":"Ada","lastname":"Lovelace","rut":"{{NewRut()}}","phone":"+56 9 1234 5678","mail":"ada@example.com","store":"MAIPU","wantsBenefit":true}]
            """);

        var sent = await RunAsync(["send", file, .. stack.IntakeOptions]);

        Assert.Equal(0, sent.ExitCode);
        Assert.Contains("1 accepted, 0 refused", sent.Output, StringComparison.Ordinal);
        var leadId = Assert.Single(LeadIds(sent.Output));
        var status = await WaitForStatusAsync(leadId, "Completed");
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"CreateClient \d+, CreatePartner \d+, CreateBenefit \d+", status.Output);
    }

    [Fact]
    public async Task InvalidLead_IsRejected_ListedByFailures_AndRedriveRunsItAgain()
    {
        var rut = NewRut();
        var badRut = rut[..^1] + (rut[^1] == '1' ? '2' : '1');
        var file = await WriteLeadsAsync($$"""
            {"name":"Bad","lastname":"Rut","rut":"{{badRut}}","phone":"+56 9 1234 5678","mail":"bad@example.com","store":"MAIPU","wantsBenefit":false}
            """);

        var leadId = Assert.Single(LeadIds((await RunAsync(["send", file, .. stack.IntakeOptions])).Output));
        var status = await WaitForStatusAsync(leadId, "Rejected");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("check digit does not match", status.Output, StringComparison.Ordinal);

        var failures = await RunAsync(["failures", "--lead", leadId, .. stack.BackendOptions]);
        Assert.Equal(0, failures.ExitCode);
        Assert.Contains(leadId, failures.Output, StringComparison.Ordinal);
        Assert.Contains("ReceiveLead", failures.Output, StringComparison.Ordinal);

        var redrive = await RunAsync(["redrive", leadId, "--temporal-address", stack.Stack.Temporal.Address, .. KeyFile]);
        Assert.Equal(0, redrive.ExitCode);
        Assert.Contains("restarted as run", redrive.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redrive_LeadTemporalNoLongerHas_StartsFromTheEventItsFailureRecordKept()
    {
        // As after Temporal's retention: the backend has the failure record with its event, Temporal has no such lead.
        var eventId = Guid.NewGuid().ToString();
        var leadId = $"lead-{eventId}";
        var envelope = $$$"""{"version":"0","id":"{{{eventId}}}","detail-type":"LeadSubmitted","source":"crm.leads","account":"1","time":"2026-01-01T12:00:00Z","region":"us-east-1","resources":[],"detail":{"name":"Ada","lastname":"Lovelace","rut":"{{{NewRut()}}}","phone":"+56 9 1234 5678","mail":"ada@example.com","store":"MAIPU","wantsBenefit":true}}""";
        using (var http = new HttpClient { BaseAddress = stack.Stack.BackendUrl })
        {
            http.DefaultRequestHeaders.Add("x-api-key", stack.Stack.Settings.ApiKey);
            var body = $$$"""{"leadId":"{{{leadId}}}","step":"CreateClient","reason":"CrmUnavailable: the backend was down","event":{{{envelope}}}}""";
            using var recorded = await http.PostAsync(new Uri("lead_failures", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.True(recorded.IsSuccessStatusCode, await recorded.Content.ReadAsStringAsync());
        }

        var redrive = await RunAsync(["redrive", eventId, "--temporal-address", stack.Stack.Temporal.Address, .. KeyFile, .. stack.BackendOptions]);

        Assert.Equal(0, redrive.ExitCode);
        Assert.Contains($"Lead {leadId} is no longer in Temporal; restarted from its failure record", redrive.Output, StringComparison.Ordinal);
        await WaitForStatusAsync(leadId, "Completed");

        // Now Temporal has it, completed: a second redrive is refused there, never started again from the record.
        var again = await RunAsync(["redrive", eventId, "--temporal-address", stack.Stack.Temporal.Address, .. KeyFile, .. stack.BackendOptions]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("completed", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownLead_SaysSoAndExitsOne()
    {
        var status = await RunAsync(["status", "no-such-event", .. stack.IntakeOptions]);

        Assert.Equal(1, status.ExitCode);
        Assert.Contains("No lead no-such-event", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_WrongApiKey_NamesTheSetting()
    {
        var failures = await RunAsync(["failures", "--backend", stack.Stack.BackendUrl.ToString(), "--api-key", "wrong"]);

        Assert.Equal(3, failures.ExitCode);
        Assert.Contains("Crm__ReadApiKey", failures.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_IntakeNotRunning_SaysWhereItLooked()
    {
        var file = await WriteLeadsAsync("""{"name":"X"}""");

        var sent = await RunAsync(["send", file, "--intake", "http://127.0.0.1:9/"]);

        Assert.Equal(3, sent.ExitCode);
        Assert.Contains("is not reachable", sent.Output, StringComparison.Ordinal);
    }

    private async Task<CliRun.Result> WaitForStatusAsync(string leadId, string outcome)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var status = await RunAsync(["status", leadId, .. stack.IntakeOptions]);
            if (Regex.IsMatch(status.Output, $@"Outcome\s+{outcome}") || DateTime.UtcNow > deadline)
            {
                Assert.Matches($@"Outcome\s+{outcome}", status.Output);
                return status;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The stack's payload key, as a person gives `leadflow up`'s key to a verb run elsewhere than beside it.</summary>
    private string[] KeyFile => ["--key-file", Path.Combine(stack.Stack.Settings.KeyDirectory, Hosting.LocalEncryptionKeys.FileName)];

    private async Task<CliRun.Result> RunAsync(string[] args)
    {
        var result = await CliRun.RunAsync(args);
        output.WriteLine($"$ leadflow {string.Join(' ', args)}  -> {result.ExitCode}");
        output.WriteLine(result.Output);
        return result;
    }

    private static async Task<string> WriteLeadsAsync(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"leadflow-leads-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }

    private static string NewRut() => Demo.DemoLeads.ValidRut(new Random());

    private static IEnumerable<string> LeadIds(string output) => LeadIdPattern().Matches(output).Select(m => m.Value).Distinct();

    [GeneratedRegex(@"lead-[0-9a-f-]{36}")]
    private static partial Regex LeadIdPattern();
}
