using System.Net.Http.Json;
using System.Text.RegularExpressions;
using LeadFlow.Cli.Tests.Support;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary><c>differences</c>, <c>status</c> of a person's second lead, and <c>compensate</c> of a stopped run, against a running stack.</summary>
[Collection(StackCollection.Name)]
public sealed partial class SagaVerbTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task SamePersonAgainWithNewMailAndPhone_StatusAndDifferencesShowWhatWasKeptForReview_Masked()
    {
        var rut = Demo.DemoLeads.ValidRut(new Random());
        var first = await SendAsync($$"""{"name":"Ada","lastname":"Lovelace","rut":"{{rut}}","phone":"+56 9 1234 5678","mail":"ada@example.com","store":"MAIPU","wantsBenefit":true}""");
        await WaitForStatusAsync(first, "Completed");
        var second = await SendAsync($$"""{"name":"Ada","lastname":"Lovelace","rut":"{{rut}}","phone":"+56 9 8765 4321","mail":"ada.new@example.org","store":"MAIPU","wantsBenefit":true}""");

        var status = await WaitForStatusAsync(second, "Completed");
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"Kept for review\s+CreateClient: mail, phone", status.Output);

        var differences = await RunAsync(["differences", "--rut", rut, .. stack.BackendOptions]);
        Assert.Equal(0, differences.ExitCode);
        Assert.Contains(second, differences.Output, StringComparison.Ordinal);
        Assert.Contains("a***@example.com", differences.Output, StringComparison.Ordinal);
        Assert.Contains("a***@example.org", differences.Output, StringComparison.Ordinal);
        Assert.Contains("***78", differences.Output, StringComparison.Ordinal);
        Assert.Contains("***21", differences.Output, StringComparison.Ordinal);
        foreach (var personal in new[] { "ada@example.com", "ada.new@example.org", "8765 4321", "1234 5678", Leads.Rut.TryNormalize(rut, out var normalized, out _) ? normalized! : rut })
        {
            Assert.DoesNotContain(personal, differences.Output, StringComparison.Ordinal);
        }

        var byLead = await RunAsync(["differences", "--lead", second, .. stack.BackendOptions]);
        Assert.Equal(2, Regex.Count(byLead.Output, second));
        var none = await RunAsync(["differences", "--lead", first, .. stack.BackendOptions]);
        Assert.Contains("No differences recorded", none.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Found by a newcomer: a new mail of the same initial and domain, and a new phone of the same last two digits, were
    /// masked exactly like the stored ones, so the listing showed "a***@example.com -> a***@example.com". Each masked value
    /// now carries a fingerprint that differs when the values differ. And <c>--lead</c> with another person's <c>--rut</c>
    /// said "no differences" instead of saying the filters match no lead together.
    /// </summary>
    [Fact]
    public async Task Differences_ShowThatMaskedValuesDiffer_AndRefuseALeadWithAnotherPersonsRut()
    {
        var random = new Random();
        var rut = Demo.DemoLeads.ValidRut(random);
        var first = await SendAsync($$"""{"name":"Ada","lastname":"Lovelace","rut":"{{rut}}","phone":"+56 9 1234 5678","mail":"ada@example.com","store":"MAIPU","wantsBenefit":true}""");
        await WaitForStatusAsync(first, "Completed");
        var second = await SendAsync($$"""{"name":"Ada","lastname":"Lovelace","rut":"{{rut}}","phone":"+56 9 1111 2278","mail":"ana@example.com","store":"MAIPU","wantsBenefit":true}""");
        await WaitForStatusAsync(second, "Completed");

        var differences = await RunAsync(["differences", "--lead", second, .. stack.BackendOptions]);

        Assert.Equal(0, differences.ExitCode);
        foreach (var (field, masked) in new[] { ("mail", @"a\*\*\*@example\.com"), ("phone", @"\*\*\*78") })
        {
            var change = Regex.Match(differences.Output, $@"{masked} ~(?<stored>[0-9a-f]{{4}}) -> {masked} ~(?<submitted>[0-9a-f]{{4}})");
            Assert.True(change.Success, $"{field}: no masked change in\n{differences.Output}");
            Assert.NotEqual(change.Groups["stored"].Value, change.Groups["submitted"].Value);
        }

        string otherRut;
        do
        {
            otherRut = Demo.DemoLeads.ValidRut(random);
        }
        while (otherRut == rut);

        var conflicting = await RunAsync(["differences", "--lead", second, "--rut", otherRut, .. stack.BackendOptions]);
        Assert.Equal(2, conflicting.ExitCode);
        Assert.Contains("match no lead together", conflicting.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("No differences recorded", conflicting.Output, StringComparison.Ordinal);
        var together = await RunAsync(["differences", "--lead", second, "--rut", rut, .. stack.BackendOptions]);
        Assert.Equal(0, together.ExitCode);
        Assert.Contains(second, together.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compensate_StoppedRun_DryRunChangesNothing_ExecuteUndoesNewestFirst()
    {
        var rut = Demo.DemoLeads.ValidRut(new Random());
        var leadId = $"lead-{Guid.NewGuid()}";
        const string stopped = "execution-stopped";
        // What a Step Functions execution stopped during CreateBenefit leaves: a client and a partner under its keys.
        using var backend = BackendHttp();
        await PostAsync(backend, "create_client", $"{leadId}:{stopped}:CreateClient", new { name = "Ada", lastname = "Lovelace", rut, mail = "ada@example.com", phone = "+56 9 1234 5678" });
        await PostAsync(backend, "create_partner", $"{leadId}:{stopped}:CreatePartner", new { rut, store = "MAIPU" });

        var dryRun = await RunAsync(["compensate", leadId, .. stack.BackendOptions]);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Contains("Dry run: nothing was changed", dryRun.Output, StringComparison.Ordinal);
        var order = new[] { "CreateBenefit", "CreatePartner", "CreateClient" }.Select(step => dryRun.Output.IndexOf($"{stopped}:{step}", StringComparison.Ordinal)).ToList();
        Assert.True(order.All(i => i >= 0) && order.SequenceEqual(order.Order()), "the plan lists the run's keys newest first");
        Assert.Equal(System.Net.HttpStatusCode.OK, await ByRutAsync("partners", rut));

        var executed = await RunAsync(["compensate", leadId, "--execute", "--write-key", stack.Stack.Settings.ApiKey, .. stack.BackendOptions]);
        Assert.Equal(0, executed.ExitCode);
        Assert.Contains($"{stopped}:CreateBenefit: nothing-to-undo", executed.Output, StringComparison.Ordinal);
        Assert.Contains($"{stopped}:CreatePartner: deleted", executed.Output, StringComparison.Ordinal);
        Assert.Contains($"{stopped}:CreateClient: deleted", executed.Output, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, await ByRutAsync("clients", rut));

        var again = await RunAsync(["compensate", leadId, .. stack.BackendOptions]);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("holds a row: nothing to compensate", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compensate_TwoRunsHoldRows_AsksWhichRun()
    {
        var rut = Demo.DemoLeads.ValidRut(new Random());
        var leadId = $"lead-{Guid.NewGuid()}";
        using var backend = BackendHttp();
        var client = new { name = "Ada", lastname = "Lovelace", rut, mail = "ada@example.com", phone = "+56 9 1234 5678" };
        await PostAsync(backend, "create_client", $"{leadId}:run-a:CreateClient", client);
        await PostAsync(backend, "create_client", $"{leadId}:run-b:CreateClient", client);

        var ambiguous = await RunAsync(["compensate", leadId, "--execute", "--write-key", stack.Stack.Settings.ApiKey, .. stack.BackendOptions]);

        Assert.Equal(1, ambiguous.ExitCode);
        Assert.Contains("Pick the stopped run with --run", ambiguous.Output, StringComparison.Ordinal);
        Assert.Contains("run-a", ambiguous.Output, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, await ByRutAsync("clients", rut));

        var one = await RunAsync(["compensate", leadId, "--run", "run-b", "--execute", "--write-key", stack.Stack.Settings.ApiKey, .. stack.BackendOptions]);
        Assert.Equal(0, one.ExitCode);
        Assert.Contains($"{leadId}:run-b:CreateClient: kept", one.Output, StringComparison.Ordinal);
        Assert.Contains($"{leadId} (run run-a) relies on it", one.Output, StringComparison.Ordinal);
    }

    private HttpClient BackendHttp()
    {
        var http = new HttpClient { BaseAddress = stack.Stack.BackendUrl };
        http.DefaultRequestHeaders.Add("x-api-key", stack.Stack.Settings.ApiKey);
        return http;
    }

    /// <summary>The status of <c>POST /{table}/by-rut</c> with the read key (a RUT travels in the body, never in a URL).</summary>
    private async Task<System.Net.HttpStatusCode> ByRutAsync(string table, string rut)
    {
        using var http = new HttpClient { BaseAddress = stack.Stack.BackendUrl };
        http.DefaultRequestHeaders.Add("x-api-key", stack.Stack.Settings.ReadApiKey);
        using var response = await http.PostAsync(new Uri($"{table}/by-rut", UriKind.Relative), JsonContent.Create(new { rut }));
        return response.StatusCode;
    }

    private static async Task PostAsync(HttpClient backend, string path, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await backend.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private async Task<string> SendAsync(string lead)
    {
        var path = Path.Combine(Path.GetTempPath(), $"leadflow-lead-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, lead);
        var sent = await RunAsync(["send", path, .. stack.IntakeOptions]);
        Assert.Equal(0, sent.ExitCode);
        return LeadIdPattern().Match(sent.Output).Value;
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

    private async Task<CliRun.Result> RunAsync(string[] args)
    {
        var result = await CliRun.RunAsync(args);
        output.WriteLine($"$ leadflow {string.Join(' ', args)}  -> {result.ExitCode}");
        output.WriteLine(result.Output);
        return result;
    }

    [GeneratedRegex(@"lead-[0-9a-f-]{36}")]
    private static partial Regex LeadIdPattern();
}
