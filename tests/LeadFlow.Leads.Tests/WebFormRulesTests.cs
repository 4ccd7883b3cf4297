using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace LeadFlow.Leads.Tests;

/// <summary>The web form's hints (<c>wwwroot/lead-rules.js</c>, run by node) give the C# rules' verdict on every row of <see cref="LeadRuleTable"/>.</summary>
public sealed class WebFormRulesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WebFormRules_GiveTheSameVerdictAsTheCSharpRules()
    {
        var cases = LeadRuleTable.Cases;
        var casesFile = Path.Combine(Path.GetTempPath(), $"lead-rule-cases-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(casesFile, JsonSerializer.Serialize(cases.Select(c => new { field = c.Field, input = c.Input })));
        try
        {
            var verdicts = await RunNodeRulesAsync(casesFile, cases.Count);

            var mismatches = new List<string>();
            for (var i = 0; i < cases.Count; i++)
            {
                var (error, normalized) = LeadRuleTable.Judge(cases[i].Field, cases[i].Input);
                var expected = (error?.Rule, error?.Message, normalized);
                var js = verdicts[i];
                var actual = (Text(js, "rule"), Text(js, "message"), Text(js, "normalized"));
                if (expected != actual || expected.Rule != cases[i].Rule)
                {
                    mismatches.Add($"{cases[i].Field} {JsonSerializer.Serialize(cases[i].Input)}: table {cases[i].Rule ?? "valid"}, C# {expected}, JS {actual}");
                }
            }

            output.WriteLine($"{cases.Count} rows compared");
            Assert.True(mismatches.Count == 0, "lead-rules.js and the C# rules disagree:\n" + string.Join('\n', mismatches));
        }
        finally
        {
            File.Delete(casesFile);
        }
    }

    private static string? Text(JsonElement verdict, string property) =>
        verdict.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<List<JsonElement>> RunNodeRulesAsync(string casesFile, int count)
    {
        var root = RepositoryRoot();
        var rules = WebFormRulesFile(root);
        var start = new ProcessStartInfo("node") { WorkingDirectory = Path.Combine(root, "tests", "node"), RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "lead-rules-check.mjs", rules, casesFile })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start (Node 20 is a prerequisite, see README)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node lead-rules-check.mjs failed: {await stderr}");

        using var document = JsonDocument.Parse(await stdout);
        var verdicts = document.RootElement.EnumerateArray().Select(v => v.Clone()).ToList();
        Assert.Equal(count, verdicts.Count);
        return verdicts;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LeadFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"LeadFlow.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The form's rules, wherever the web form's wwwroot lives (the folder may move between projects).</summary>
    private static string WebFormRulesFile(string root)
    {
        var found = new List<string>();
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        while (pending.TryPop(out var directory))
        {
            if (directory.Name == "wwwroot" && File.Exists(Path.Combine(directory.FullName, "lead-rules.js")))
            {
                found.Add(Path.Combine(directory.FullName, "lead-rules.js"));
            }

            foreach (var child in directory.EnumerateDirectories())
            {
                if (child.Name is not ("bin" or "obj" or "node_modules") && !child.Name.StartsWith('.'))
                {
                    pending.Push(child);
                }
            }
        }

        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"expected one wwwroot/lead-rules.js under {root}, found {found.Count}: {string.Join(", ", found)}");
    }
}
