using System.CommandLine;
using LeadFlow.Cli.Commands;
using LeadFlow.Cli.Configuration;
using LeadFlow.Cli.Demo;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace LeadFlow.Cli;

/// <summary>The <c>leadflow</c> command: its verbs, and the entry point <c>Program</c> and the tests call.</summary>
public static class LeadFlowCli
{
    public static RootCommand Create(IAnsiConsole console, IConfiguration configuration, Func<IReadOnlyList<DemoLead>, IReadOnlyList<DemoLead>>? editDemoLeads = null)
    {
        var common = new CommonOptions(configuration);
        return new RootCommand("leadflow: run the lead onboarding flow locally (demo, up) and talk to a running one (send, status, redrive, redrive-dlq, failures, differences, compensate) and the bus (publish).")
        {
            DemoCommand.Create(console, common, editDemoLeads),
            UpCommand.Create(console, common),
            SendCommand.Create(console, common),
            StatusCommand.Create(console, common),
            RedriveCommand.Create(console, common),
            RedriveDeadLettersCommand.Create(console, common),
            FailuresCommand.Create(console, common),
            DifferencesCommand.Create(console, common),
            CompensateCommand.Create(console, common),
            PublishCommand.Create(console, common),
        };
    }

    /// <param name="configuration">Where settings come from; null = the environment variables.</param>
    public static async Task<int> RunAsync(
        string[] args, IAnsiConsole console, IConfiguration? configuration = null, Func<IReadOnlyList<DemoLead>, IReadOnlyList<DemoLead>>? editDemoLeads = null,
        CancellationToken cancellationToken = default)
    {
        configuration ??= new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var parse = Create(console, configuration, editDemoLeads).Parse(args);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                // Ctrl+C cancels the verb; `up` then stops the worker gracefully and PostgreSQL cleanly, which takes a few seconds.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(40),
                EnableDefaultExceptionHandler = false,
            }, cancellationToken);
        }
        catch (OptionsException e)
        {
            console.MarkupLine($"[red]Configuration error:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
        catch (Crm.Backend.LocalDatabase.LocalPostgresException e)
        {
            console.MarkupLine($"[red]PostgreSQL:[/] {Markup.Escape(e.Message)}");
            return 3;
        }
    }

    /// <summary>
    /// The console the real command writes to: plain ASCII text (no box-drawing characters, no colour, no animation)
    /// when there is no terminal to draw on (stdout redirected to a file or a pipe), in CI (<c>CI</c> set) or when the
    /// user asked for it (<c>NO_COLOR</c> set, https://no-color.org).
    /// </summary>
    public static IAnsiConsole CreateConsole() =>
        CreateConsole(Console.Out, Console.IsOutputRedirected, Environment.GetEnvironmentVariable);

    /// <param name="output">Where the text goes.</param>
    /// <param name="outputRedirected">Whether <paramref name="output"/> is a file or a pipe rather than a terminal.</param>
    /// <param name="environment">Reads an environment variable (<c>CI</c>, <c>NO_COLOR</c>).</param>
    public static IAnsiConsole CreateConsole(TextWriter output, bool outputRedirected, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var plain = outputRedirected || !string.IsNullOrEmpty(environment("CI")) || !string.IsNullOrEmpty(environment("NO_COLOR"));
        if (!plain)
        {
            return output == Console.Out ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 160;
        // Tables fall back to their ASCII borders, and status spinners to ASCII frames: a CI log or a file shows no mojibake.
        console.Profile.Capabilities.Unicode = false;
        return console;
    }
}
