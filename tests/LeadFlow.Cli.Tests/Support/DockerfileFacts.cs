using System.Text.Json;
using System.Text.RegularExpressions;

namespace LeadFlow.Cli.Tests.Support;

/// <summary>What a Dockerfile of this repository builds: the COPY sources, the published project, the entry point.</summary>
public sealed partial record DockerfileFacts(IReadOnlyList<string> CopySources, string? PublishedProject, string? EntryPointDll, bool InstallsCurl)
{
    public static DockerfileFacts Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var copies = new List<string>();
        string? published = null;
        string? entryPoint = null;
        foreach (var line in lines.Select(l => l.Trim()))
        {
            if (line.StartsWith("COPY ", StringComparison.Ordinal) && !line.Contains("--from", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                copies.AddRange(parts[1..^1]);
            }
            else if (PublishPattern().Match(line) is { Success: true } publish)
            {
                published = publish.Groups["project"].Value;
            }
            else if (line.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))
            {
                var command = JsonSerializer.Deserialize<string[]>(line["ENTRYPOINT ".Length..]) ?? [];
                entryPoint = command.FirstOrDefault(c => c.EndsWith(".dll", StringComparison.Ordinal));
            }
        }

        return new DockerfileFacts(copies, published, entryPoint, lines.Any(l => l.Contains("install", StringComparison.Ordinal) && l.Contains("curl", StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"dotnet publish (?<project>\S+\.csproj)")]
    private static partial Regex PublishPattern();
}
