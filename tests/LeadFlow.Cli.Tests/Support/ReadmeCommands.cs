using System.Text.RegularExpressions;

namespace LeadFlow.Cli.Tests.Support;

/// <summary>What a README command runs: one of our projects with arguments, a test project, or <c>./test.sh</c>.</summary>
public enum ReadmeCommandKind
{
    Run,
    Test,
    TestScript,
}

/// <summary>
/// A README line that runs one of our programs. <c>leadflow verb ...</c> is the same as
/// <c>dotnet run --project Cli -- verb ...</c>, so both become a <see cref="ReadmeCommandKind.Run"/> of <c>Cli</c>.
/// </summary>
public sealed record ReadmeCommand(int Line, string Text, ReadmeCommandKind Kind, string Project, IReadOnlyList<string> Arguments)
{
    public string Where => $"README.md line {Line}: `{Text}`";
}

/// <summary>Finds the commands in README.md: every line of a fenced code block and every inline code span.</summary>
public static partial class ReadmeCommands
{
    public const string CliProject = "Cli";

    public static IReadOnlyList<ReadmeCommand> Read() => Parse(File.ReadAllLines(RepositoryRoot.Combine("README.md")));

    public static IReadOnlyList<ReadmeCommand> Parse(IReadOnlyList<string> lines)
    {
        var commands = new List<ReadmeCommand>();
        var inFence = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            var lineNumber = i + 1;
            if (inFence)
            {
                // A trailing backslash continues the command on the next line.
                while (line.EndsWith('\\') && i + 1 < lines.Count)
                {
                    line = line[..^1] + " " + lines[++i].Trim();
                }

                AddIfOurs(commands, lineNumber, StripComment(line));
            }
            else
            {
                foreach (Match span in InlineCode().Matches(line))
                {
                    AddIfOurs(commands, lineNumber, span.Groups["code"].Value);
                }
            }
        }

        return commands;
    }

    private static void AddIfOurs(List<ReadmeCommand> commands, int line, string text)
    {
        var command = Recognize(line, text.Trim());
        if (command is not null)
        {
            commands.Add(command);
        }
    }

    private static ReadmeCommand? Recognize(int line, string text)
    {
        // Environment assignments in front of a command (`Crm__ApiKey=... dotnet run ...`) only configure it.
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(t => EnvironmentAssignment().IsMatch(t)).ToList();
        return tokens switch
        {
            ["./test.sh", ..] => new(line, text, ReadmeCommandKind.TestScript, "", tokens[1..]),
            ["leadflow", _, ..] => new(line, text, ReadmeCommandKind.Run, CliProject, tokens[1..]),
            ["dotnet", "test", var project, ..] when !project.StartsWith('-') => new(line, text, ReadmeCommandKind.Test, project.TrimEnd('/'), tokens[3..]),
            ["dotnet", "run", ..] => RecognizeRun(line, text, tokens),
            _ => null,
        };
    }

    private static ReadmeCommand? RecognizeRun(int line, string text, List<string> tokens)
    {
        var separator = tokens.IndexOf("--");
        var runOptions = separator < 0 ? tokens : tokens[..separator];
        var project = runOptions.IndexOf("--project");
        if (project < 0 || project + 1 >= runOptions.Count)
        {
            // `dotnet run` without a project names no program of ours.
            return null;
        }

        var arguments = separator < 0 ? [] : tokens[(separator + 1)..];
        return new(line, text, ReadmeCommandKind.Run, runOptions[project + 1].TrimEnd('/'), arguments);
    }

    private static string StripComment(string line)
    {
        var comment = line.IndexOf(" #", StringComparison.Ordinal);
        return line.TrimStart().StartsWith('#') ? "" : comment < 0 ? line : line[..comment];
    }

    [GeneratedRegex("`(?<code>[^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex EnvironmentAssignment();
}
