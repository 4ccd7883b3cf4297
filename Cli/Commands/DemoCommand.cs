using System.CommandLine;
using LeadFlow.Cli.Configuration;
using LeadFlow.Cli.Demo;
using LeadFlow.Cli.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary><c>leadflow demo</c>.</summary>
public static class DemoCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common, Func<IReadOnlyList<DemoLead>, IReadOnlyList<DemoLead>>? editLeads)
    {
        var stay = new Option<bool>("--stay") { Description = "Keep everything running after the report, until Ctrl+C, to look at the leads in the Temporal Web UI" };
        var command = new Command("demo", "Start everything in this process on local defaults, send sample leads (valid, duplicate, invalid, transient and permanent failure) and show what became of each. Exit 0 when all reached their expected outcome.")
        {
            common.Temporal, common.DataDirectory, common.Verbose, common.NoDashboard, stay,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = StackSettings.For(common.Configuration, common.RunOptions(parse), demo: true);
            var verbose = parse.GetValue(common.Verbose);
            var logs = new LogBuffer(verbose ? LogLevel.Information : LogLevel.Warning, verbose ? Console.Error : null);
            return await new DemoRunner(console, settings, logs) { EditLeads = editLeads, Stay = parse.GetValue(stay) }.RunAsync(cancellationToken);
        });
        return command;
    }
}
