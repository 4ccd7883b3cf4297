using Spectre.Console;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// Where nobody looks at a terminal (CI, a pipe or a file) or colour is refused (<c>NO_COLOR</c>), the CLI's tables are
/// plain ASCII: a CI log showed Unicode box drawing (found by a newcomer with <c>CI=true</c>).
/// </summary>
public sealed class PlainConsoleTests
{
    [Theory]
    [InlineData("CI", "true", false)]
    [InlineData("NO_COLOR", "1", false)]
    [InlineData(null, null, true)]
    public void Table_IsAsciiOnly_InCi_WithNoColor_OrWhenRedirected(string? variable, string? value, bool redirected)
    {
        using var output = new StringWriter();
        var console = LeadFlowCli.CreateConsole(output, redirected, name => name == variable ? value : null);

        console.Write(ConsoleTables.Create(console).Title("Leads").AddColumn("Lead").AddColumn("Outcome").AddRow("lead-1", "Completed"));

        var text = output.ToString();
        Assert.Contains("Completed", text, StringComparison.Ordinal);
        Assert.True(text.All(c => c < 128), $"non-ASCII output: {text}");
        Assert.DoesNotContain("\u001b[", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_OnATerminal_KeepsItsRoundedBorders()
    {
        using var output = new StringWriter();
        var console = LeadFlowCli.CreateConsole(output, outputRedirected: false, _ => null);

        console.Write(ConsoleTables.Create(console).AddColumn("Lead").AddRow("lead-1"));

        Assert.Contains("\u256d", output.ToString(), StringComparison.Ordinal);
    }
}
