using Spectre.Console;

namespace LeadFlow.Cli;

/// <summary>
/// Every table the CLI prints: rounded Unicode borders on a terminal, plain ASCII where the console has no Unicode
/// (CI, a pipe or a file, <c>NO_COLOR</c>: <see cref="LeadFlowCli.CreateConsole(TextWriter, bool, Func{string, string?})"/>).
/// Spectre's own fallback for a rounded border is a square one, still box-drawing characters.
/// </summary>
public static class ConsoleTables
{
    public static Table Create(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        return new Table().Border(console.Profile.Capabilities.Unicode ? TableBorder.Rounded : TableBorder.Ascii);
    }
}
