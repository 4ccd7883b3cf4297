using System.Text.RegularExpressions;
using LeadFlow.TestSupport.Publishing;

namespace LeadFlow.Deployables.Tests.Support;

/// <summary>What <c>StepFunctions/template.yaml</c> deploys: the handler strings and the architecture (one runtime identifier for every function).</summary>
public static partial class SamTemplate
{
    /// <summary>The template's path, repository-relative.</summary>
    public const string RelativePath = "StepFunctions/template.yaml";

    private static readonly Lazy<string> Text = new(() => File.ReadAllText(Path.Combine(DotnetPublish.RepositoryRoot, RelativePath)));

    /// <summary>Every <c>Handler: Assembly::Namespace.Type::Method</c> of the template.</summary>
    public static IReadOnlyList<LambdaHandler> Handlers =>
        [.. HandlerLine().Matches(Text.Value).Select(m => new LambdaHandler(m.Groups["assembly"].Value, m.Groups["type"].Value, m.Groups["method"].Value))];

    /// <summary>The runtime identifier of the functions' <c>Architectures</c> (x86_64: linux-x64, arm64: linux-arm64).</summary>
    public static string RuntimeIdentifier
    {
        get
        {
            var architectures = Architectures().Matches(Text.Value).Select(m => m.Groups["arch"].Value).Distinct().ToList();
            Assert.True(architectures.Count == 1, $"{RelativePath} names {architectures.Count} architectures ({string.Join(", ", architectures)}); the Lambda projects publish for one");
            return architectures[0] switch
            {
                "x86_64" => "linux-x64",
                "arm64" => "linux-arm64",
                var other => throw new InvalidOperationException($"{RelativePath}: unknown architecture {other}"),
            };
        }
    }

    [GeneratedRegex(@"^\s*Handler:\s*(?<assembly>[^:\s]+)::(?<type>[^:\s]+)::(?<method>[^:\s]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex HandlerLine();

    [GeneratedRegex(@"^\s*Architectures:\s*\[\s*(?<arch>[\w-]+)\s*\]", RegexOptions.Multiline)]
    private static partial Regex Architectures();
}

/// <summary>A Lambda handler string, <c>Assembly::Namespace.Type::Method</c>.</summary>
/// <param name="Assembly">The assembly's name (file name without .dll).</param>
/// <param name="Type">The full type name.</param>
/// <param name="Method">The public method.</param>
public sealed record LambdaHandler(string Assembly, string Type, string Method)
{
    /// <inheritdoc />
    public override string ToString() => $"{Assembly}::{Type}::{Method}";
}
