using LeadFlow.Cli.Configuration;
using Microsoft.AspNetCore.Builder;
using Spectre.Console;

namespace LeadFlow.Cli.Hosting;

/// <summary>Starts a <see cref="LocalStack"/> and says what each part is and where it listens (shared by <c>demo</c> and <c>up</c>).</summary>
public static class StackConsole
{
    public static async Task<LocalStack> StartAsync(IAnsiConsole console, StackSettings settings, LogBuffer logs, Action<WebApplication>? backendPipeline, CancellationToken cancellationToken)
    {
        console.WriteLine("Starting the stack in this process:");
        void Report(string part, string detail) => console.MarkupLine($"  [green]ok[/] {Markup.Escape(part),-12} {Markup.Escape(detail)}");

        LocalStack stack;
        if (console.Profile.Capabilities.Interactive)
        {
            LocalStack? started = null;
            await console.Status().StartAsync("starting PostgreSQL, Temporal, backend, worker and intake...", async _ =>
                started = await LocalStack.StartAsync(settings, logs, Report, backendPipeline, cancellationToken));
            stack = started!;
        }
        else
        {
            stack = await LocalStack.StartAsync(settings, logs, Report, backendPipeline, cancellationToken);
        }

        if (stack.Temporal.Warning is { } warning)
        {
            console.MarkupLine($"[yellow]WARNING:[/] {Markup.Escape(warning)}");
        }

        return stack;
    }

    /// <summary>The last service log lines, when something went wrong.</summary>
    public static void ShowRecentLogs(IAnsiConsole console, LogBuffer logs, int count = 25)
    {
        var recent = logs.Lines.TakeLast(count).ToList();
        if (recent.Count == 0)
        {
            return;
        }

        console.WriteLine($"Last {recent.Count} service log line(s):");
        foreach (var line in recent)
        {
            console.WriteLine("  " + line);
        }
    }
}
