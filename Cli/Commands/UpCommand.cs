using System.CommandLine;
using LeadFlow.Cli.Configuration;
using LeadFlow.Cli.Demo;
using LeadFlow.Cli.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary><c>leadflow up</c>: the stack in this process until Ctrl+C, data kept in <c>.leadflow/pgdata</c>.</summary>
public static class UpCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var backendPort = new Option<int?>("--backend-port") { Description = "The CRM backend's port (env LeadFlow__BackendPort, default 5080; 0 = any free port)" };
        var intakePort = new Option<int?>("--intake-port") { Description = "The intake's and web form's port (env LeadFlow__IntakePort, default 5090; 0 = any free port)" };
        var command = new Command("up", "Start PostgreSQL, Temporal, the CRM backend, the worker and the HTTP intake with the web form, and keep them running until Ctrl+C.")
        {
            common.Temporal, common.DataDirectory, backendPort, intakePort, common.Verbose, common.NoDashboard,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var run = common.RunOptions(parse);
            run.BackendPort = parse.GetValue(backendPort) ?? run.BackendPort;
            run.IntakePort = parse.GetValue(intakePort) ?? run.IntakePort;
            run.Validate();
            var settings = StackSettings.For(common.Configuration, run, demo: false);
            var verbose = parse.GetValue(common.Verbose);
            var logs = new LogBuffer(verbose ? LogLevel.Information : LogLevel.Warning, Console.Error);

            await using var stack = await StackConsole.StartAsync(console, settings, logs, backendPipeline: null, cancellationToken);
            console.WriteLine();
            console.MarkupLine($"[bold]Ready.[/] Enter a lead in the web form: [link]{Markup.Escape(stack.IntakeUrl.ToString())}[/]");
            DemoReport.ShowWhereToLook(console, stack, stillRunning: true);
            console.WriteLine($"  Send leads from a file      leadflow send <file> --intake {stack.IntakeUrl}");
            console.WriteLine($"  Temporal address            Temporal__Address={stack.Temporal.Address} (for leadflow redrive)");
            console.WriteLine("Press Ctrl+C to stop (workers finish their current steps first).");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                console.WriteLine("Stopping...");
            }

            return 0;
        });
        return command;
    }
}
