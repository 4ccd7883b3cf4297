using System.Diagnostics;
using System.Text.RegularExpressions;
using LeadFlow.Cli.Tests.Support;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// Every README command that runs one of our programs names a project, verb, option, benchmark and file that exist.
/// Each check runs the built program (help, usage or a side-effect-free verb), never a server or <c>dotnet run</c>.
/// </summary>
public sealed partial class ReadmeCommandsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ProgramTimeout = TimeSpan.FromSeconds(20);

    public static TheoryData<int, string> Commands
    {
        get
        {
            var data = new TheoryData<int, string>();
            foreach (var command in ReadmeCommands.Read())
            {
                data.Add(command.Line, command.Text);
            }

            return data;
        }
    }

    [Fact]
    public void Readme_QuickStartAndEveryKindOfCommandAreFound()
    {
        var commands = ReadmeCommands.Read();

        Assert.Contains(commands, c => c is { Kind: ReadmeCommandKind.Run, Project: "Cli", Arguments: ["demo"] });
        Assert.Contains(commands, c => c.Kind == ReadmeCommandKind.TestScript);
        Assert.Contains(commands, c => c.Kind == ReadmeCommandKind.Test);
        Assert.Contains(commands, c => c is { Kind: ReadmeCommandKind.Run, Project: "tests/LeadFlow.Benchmarks" });
        Assert.Contains(commands, c => c.Text.StartsWith("leadflow ", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task ReadmeCommand_NamesAProgramVerbOptionsAndFilesThatExist(int line, string text)
    {
        var command = ReadmeCommands.Read().First(c => c.Line == line && c.Text == text);
        output.WriteLine(command.Where);

        switch (command.Kind)
        {
            case ReadmeCommandKind.TestScript:
                AssertTestScriptRunsInCi(command);
                break;
            case ReadmeCommandKind.Test:
                AssertIsTestedProjectOfTheSolution(command);
                break;
            default:
                AssertProjectExists(command);
                AssertRepositoryFilesExist(command);
                await AssertProgramAcceptsAsync(command);
                break;
        }
    }

    private static void AssertTestScriptRunsInCi(ReadmeCommand command)
    {
        var script = RepositoryRoot.Combine("test.sh");
        Assert.True(File.Exists(script), $"{command.Where}: test.sh does not exist");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(
                (File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0, $"{command.Where}: test.sh is not executable (chmod +x test.sh)");
        }

        var ci = RepositoryRoot.Combine(".ci", "run");
        Assert.True(File.Exists(ci), $"{command.Where}: .ci/run does not exist");
        Assert.True(
            File.ReadAllLines(ci).Any(l => l.Trim() is "./test.sh" or "exec ./test.sh"), $"{command.Where}: .ci/run does not run ./test.sh");
    }

    private static void AssertIsTestedProjectOfTheSolution(ReadmeCommand command)
    {
        var csproj = AssertProjectExists(command);
        Assert.True(Path.GetFileNameWithoutExtension(csproj).EndsWith(".Tests", StringComparison.Ordinal), $"{command.Where}: {csproj} is not a test project");
        var inSolution = Path.GetRelativePath(RepositoryRoot.Path, csproj).Replace('/', '\\');
        Assert.True(
            File.ReadAllText(RepositoryRoot.Combine("LeadFlow.sln")).Contains($"\"{inSolution}\"", StringComparison.Ordinal),
            $"{command.Where}: {inSolution} is not in LeadFlow.sln, so ./test.sh does not run it");
    }

    private static string AssertProjectExists(ReadmeCommand command)
    {
        var directory = RepositoryRoot.Combine(command.Project);
        Assert.True(Directory.Exists(directory), $"{command.Where}: project folder {command.Project} does not exist");
        var projects = Directory.GetFiles(directory, "*.csproj");
        Assert.True(projects.Length == 1, $"{command.Where}: {command.Project} holds {projects.Length} .csproj files, not one");
        return projects[0];
    }

    /// <summary>Arguments that are paths inside the repository (sample leads, the committed export) must exist.</summary>
    private static void AssertRepositoryFilesExist(ReadmeCommand command)
    {
        foreach (var argument in command.Arguments.Where(a => a.Contains('/', StringComparison.Ordinal) && !a.Contains("://", StringComparison.Ordinal)))
        {
            Assert.True(File.Exists(RepositoryRoot.Combine(argument)), $"{command.Where}: file {argument} does not exist");
        }
    }

    private async Task AssertProgramAcceptsAsync(ReadmeCommand command)
    {
        var verb = command.Arguments.FirstOrDefault(a => !a.StartsWith('-'));
        switch (command.Project)
        {
            case ReadmeCommands.CliProject:
                await AssertCliVerbAsync(command, command.Arguments.FirstOrDefault());
                break;
            case "StepFunctions/LeadFlow.StepFunctions.Definition":
                await AssertGeneratedFileMatchesCommittedAsync(command, "LeadFlow.StepFunctions.Definition.dll", [], "regenerate the definition");
                break;
            case "Crm.Backend" when command.Arguments is ["export-openapi", ..]:
                await AssertExportMatchesCommittedFileAsync(command);
                break;
            case "Crm.Backend":
                // Without a verb the backend is an ASP.NET Core host; its `--key value` arguments are configuration.
                Assert.True(
                    command.Arguments.Count % 2 == 0 && command.Arguments.Where((_, i) => i % 2 == 0).All(a => a.StartsWith("--", StringComparison.Ordinal)),
                    $"{command.Where}: Crm.Backend knows only the verb export-openapi; other arguments must be `--setting value` pairs");
                break;
            case "EmbeddedTemporal":
                await AssertEmbeddedTemporalOptionsAsync(command);
                break;
            case "tests/LeadFlow.Benchmarks":
                await AssertBenchmarkExistsAsync(command, verb);
                break;
            default:
                Assert.True(
                    command.Arguments.Count == 0,
                    $"{command.Where}: this test does not know the arguments of {command.Project}; teach ReadmeCommandsTests to check them");
                break;
        }
    }

    private async Task AssertCliVerbAsync(ReadmeCommand command, string? verb)
    {
        var help = await RunBuiltAsync(OutputFile("leadflow.dll"), verb is null ? ["--help"] : [verb, "--help"]);

        Assert.True(help.ExitCode == 0, $"{command.Where}: `leadflow {verb} --help` exited {help.ExitCode}: {help.Text}");
        // Help for an unknown verb is the root's help (exit 0 too), so the verb's own usage line is what proves it exists.
        var usage = verb is null ? "leadflow [command]" : $"leadflow {verb} ";
        Assert.True(
            help.Stdout.Split('\n').Any(l => l.Trim().StartsWith(usage, StringComparison.Ordinal)),
            $"{command.Where}: leadflow has no verb '{verb}':\n{help.Text}");
        AssertOptionsAreDocumented(command, help.Stdout, $"leadflow {verb} --help");
    }

    private static Task AssertExportMatchesCommittedFileAsync(ReadmeCommand command) =>
        AssertGeneratedFileMatchesCommittedAsync(command, "LeadFlow.Crm.Backend.dll", ["export-openapi"], "run the command to regenerate it");

    /// <summary>A generator command (the API Gateway export, the ASL definition) writes exactly the committed file.</summary>
    private static async Task AssertGeneratedFileMatchesCommittedAsync(ReadmeCommand command, string program, string[] verb, string fix)
    {
        Assert.True(command.Arguments.Count == verb.Length + 1, $"{command.Where}: the generator takes exactly one file");
        var generated = Path.Combine(Path.GetTempPath(), $"leadflow-readme-{Guid.NewGuid():N}.json");
        try
        {
            // Needs no database or server: the generators only write the file.
            var run = await RunBuiltAsync(OutputFile(program), [.. verb, generated]);

            Assert.True(run.ExitCode == 0, $"{command.Where}: {program} exited {run.ExitCode}: {run.Text}");
            Assert.True(
                await File.ReadAllTextAsync(RepositoryRoot.Combine(command.Arguments[^1])) == await File.ReadAllTextAsync(generated),
                $"{command.Where}: {command.Arguments[^1]} is stale; {fix}");
        }
        finally
        {
            File.Delete(generated);
        }
    }

    private async Task AssertEmbeddedTemporalOptionsAsync(ReadmeCommand command)
    {
        // Any argument it does not know makes the standalone server print its usage and exit 2 instead of serving.
        var usage = await RunBuiltAsync(OutputFile("LeadFlow.EmbeddedTemporal.dll"), "--help");

        Assert.True(usage.ExitCode == 2, $"{command.Where}: LeadFlow.EmbeddedTemporal --help exited {usage.ExitCode}: {usage.Text}");
        Assert.True(
            command.Arguments.Where((_, i) => i % 2 == 0).All(a => a.StartsWith("--", StringComparison.Ordinal)),
            $"{command.Where}: EmbeddedTemporal takes only `--option value` pairs:\n{usage.Text}");
        AssertOptionsAreDocumented(command, usage.Stderr, "LeadFlow.EmbeddedTemporal usage");
    }

    private async Task AssertBenchmarkExistsAsync(ReadmeCommand command, string? name)
    {
        Assert.True(name is not null, $"{command.Where}: names no benchmark");
        var benchmarks = await BenchmarkNamesAsync();
        Assert.True(benchmarks.Contains(name), $"{command.Where}: there is no benchmark '{name}'; there are {string.Join(", ", benchmarks)}");
    }

    /// <summary>
    /// The benchmark names from the built program's usage. The Benchmarks project is built with the solution
    /// (./test.sh); when only this test project was built, or its build is older than its sources, the names
    /// are read from the sources instead.
    /// </summary>
    private async Task<IReadOnlySet<string>> BenchmarkNamesAsync()
    {
        var project = RepositoryRoot.Combine("tests", "LeadFlow.Benchmarks");
        var ownOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(project, "bin", ownOutput.Parent!.Name, ownOutput.Name, "LeadFlow.Benchmarks.dll");
        var sources = Directory.GetFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(s => !s.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !s.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Append(Directory.GetFiles(project, "*.csproj")[0]);
        if (File.Exists(dll) && sources.All(s => File.GetLastWriteTimeUtc(s) <= File.GetLastWriteTimeUtc(dll)))
        {
            var usage = await RunBuiltAsync(dll);
            Assert.True(usage.ExitCode == 2, $"LeadFlow.Benchmarks without a name exited {usage.ExitCode}: {usage.Text}");
            return usage.Stderr.Split('\n').Skip(1).Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
        }

        output.WriteLine($"{dll} is missing or older than its sources; reading benchmark names from the sources");
        return sources.SelectMany(s => BenchmarkName().Matches(File.ReadAllText(s))).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every <c>--option</c> the README passes (outside placeholders) appears in the program's help.</summary>
    private static void AssertOptionsAreDocumented(ReadmeCommand command, string help, string source)
    {
        foreach (var option in command.Arguments.Select(a => a.Trim('[', ']')).Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            Assert.True(help.Contains(option, StringComparison.Ordinal), $"{command.Where}: option {option} is not in `{source}`:\n{help}");
        }
    }

    /// <summary>Projects this test project references are copied next to it, built by the same `dotnet test`.</summary>
    private static string OutputFile(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        Assert.True(File.Exists(path), $"{path} is missing; the test project's references should copy it there");
        return path;
    }

    private sealed record ProgramRun(int ExitCode, string Stdout, string Stderr)
    {
        public string Text => $"{Stdout}{Stderr}";
    }

    private static async Task<ProgramRun> RunBuiltAsync(string dll, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProgramTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {Path.GetFileName(dll)} {string.Join(' ', args)} did not exit within {ProgramTimeout.TotalSeconds} s");
        }

        return new(process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("""string Name => "(?<name>[^"]+)";""")]
    private static partial Regex BenchmarkName();
}
