using LeadFlow.Cli.Demo;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace LeadFlow.Cli.Tests.Support;

/// <summary>Runs the <c>leadflow</c> entry point in this process with captured, plain output and explicit settings.</summary>
public static class CliRun
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(
        string[] args, IDictionary<string, string?>? settings = null, Func<IReadOnlyList<DemoLead>, IReadOnlyList<DemoLead>>? editDemoLeads = null)
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var exitCode = await LeadFlowCli.RunAsync(args, console, configuration, editDemoLeads);
        return new Result(exitCode, output.ToString());
    }
}
