using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>The state machine definition as JSON, with the template's DefinitionSubstitutions applied where a test needs ARNs.</summary>
public static partial class AslDocument
{
    public const string Region = "us-east-1";

    public static JsonObject Load() => (JsonObject)JsonNode.Parse(File.ReadAllText(RepositoryPaths.Definition))!;

    /// <summary>The definition with every <c>${XxxFunctionArn}</c> replaced by a Lambda ARN ending in <c>:function:Xxx</c>.</summary>
    public static JsonObject LoadWithLocalArns() => (JsonObject)JsonNode.Parse(Substitute(File.ReadAllText(RepositoryPaths.Definition)))!;

    public static string Substitute(string definition) =>
        PlaceholderPattern().Replace(definition, match =>
        {
            var variable = match.Groups["name"].Value;
            const string suffix = "FunctionArn";
            if (!variable.EndsWith(suffix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Unexpected substitution variable ${{{variable}}}");
            }

            return string.Create(CultureInfo.InvariantCulture, $"arn:aws:lambda:{Region}:000000000000:function:{variable[..^suffix.Length]}");
        });

    /// <summary>Every <c>${...}</c> variable the definition uses.</summary>
    public static IReadOnlySet<string> Placeholders() =>
        PlaceholderPattern().Matches(File.ReadAllText(RepositoryPaths.Definition)).Select(m => m.Groups["name"].Value).ToHashSet();

    public static JsonObject States(JsonObject definition) => definition["States"]!.AsObject();

    public static JsonObject State(JsonObject definition, string name) =>
        States(definition)[name]?.AsObject() ?? throw new InvalidOperationException($"No state {name}");

    public static IEnumerable<JsonObject> Items(JsonNode? array) => array?.AsArray().Select(item => item!.AsObject()) ?? [];

    public static IReadOnlyList<string> Strings(JsonNode? array) => array?.AsArray().Select(item => item!.GetValue<string>()).ToList() ?? [];

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z0-9]+)\}")]
    private static partial Regex PlaceholderPattern();
}
