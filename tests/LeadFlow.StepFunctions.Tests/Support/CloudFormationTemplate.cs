using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>
/// A SAM/CloudFormation template read with YamlDotNet's representation model, which keeps the
/// short-form tags (<c>!Ref</c>, <c>!GetAtt</c>, <c>!Sub</c>, <c>!If</c>...) as node tags instead of
/// failing on them; long forms (<c>Ref:</c>, <c>Fn::GetAtt:</c>...) are read too.
/// </summary>
public sealed partial class CloudFormationTemplate
{
    private CloudFormationTemplate(YamlMappingNode root) => Root = root;

    public YamlMappingNode Root { get; }

    public IReadOnlyDictionary<string, YamlMappingNode> Resources => Section("Resources");

    public IReadOnlySet<string> Parameters => Section("Parameters").Keys.ToHashSet();

    public IReadOnlySet<string> Conditions => Section("Conditions").Keys.ToHashSet();

    public static CloudFormationTemplate Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return new CloudFormationTemplate((YamlMappingNode)stream.Documents[0].RootNode);
    }

    public static string? ValueOf(YamlNode? node) => (node as YamlScalarNode)?.Value;

    public static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static string? Tag(YamlNode node) => node.Tag.IsEmpty ? null : node.Tag.Value;

    /// <summary>Every node under <paramref name="node"/> (itself included), depth first.</summary>
    public static IEnumerable<YamlNode> Descendants(YamlNode node)
    {
        yield return node;
        var children = node switch
        {
            YamlMappingNode mapping => mapping.Children.Values,
            YamlSequenceNode sequence => sequence.Children,
            _ => (IEnumerable<YamlNode>)[],
        };
        foreach (var child in children)
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The scalars of a node that is a scalar or a sequence of scalars (an IAM Action or Resource).</summary>
    public static IReadOnlyList<YamlNode> Items(YamlNode? node) => node switch
    {
        YamlSequenceNode sequence => [.. sequence.Children],
        null => [],
        _ => [node],
    };

    public IEnumerable<(string Resource, YamlMappingNode Properties)> ResourcesOfType(string type) =>
        Resources
            .Where(r => ValueOf(Child(r.Value, "Type")) == type)
            .Select(r => (r.Key, Child(r.Value, "Properties") as YamlMappingNode ?? new YamlMappingNode()));

    /// <summary>Every logical name the template refers to (Ref, GetAtt, Sub variables), with where.</summary>
    public IEnumerable<(string Target, string Where)> References() => Walk(Root, "").Where(r => r.Kind != "Condition").Select(r => (r.Target, r.Where));

    /// <summary>Every condition name used (<c>!If</c>, <c>Condition:</c>).</summary>
    public IEnumerable<(string Target, string Where)> ConditionReferences() => Walk(Root, "").Where(r => r.Kind == "Condition").Select(r => (r.Target, r.Where));

    private Dictionary<string, YamlMappingNode> Section(string name) =>
        (Child(Root, name) as YamlMappingNode)?.Children.ToDictionary(c => ValueOf(c.Key)!, c => c.Value as YamlMappingNode ?? new YamlMappingNode())
        ?? [];

    private static IEnumerable<(string Kind, string Target, string Where)> Walk(YamlNode node, string where)
    {
        var tag = Tag(node);
        switch (tag)
        {
            case "!Ref":
                // SAM's referenceable properties (!Ref Api.Stage, !Ref Api.Deployment) refer to the resource before the dot.
                yield return ("Ref", ValueOf(node)!.Split('.')[0], where);
                yield break;
            case "!GetAtt":
                yield return ("GetAtt", GetAttTarget(node), where);
                yield break;
            case "!Condition":
                yield return ("Condition", ValueOf(node)!, where);
                yield break;
            case "!Sub":
                foreach (var variable in SubVariables(node))
                {
                    yield return ("Sub", variable, where);
                }

                yield break;
            case "!If":
                yield return ("Condition", ValueOf(((YamlSequenceNode)node).Children[0])!, where);
                break;
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = ValueOf(key)!;
                    var path = $"{where}/{name}";
                    switch (name)
                    {
                        case "Ref":
                            yield return ("Ref", ValueOf(value)!, path);
                            continue;
                        case "Fn::GetAtt":
                            yield return ("GetAtt", GetAttTarget(value), path);
                            continue;
                        case "Fn::Sub":
                            foreach (var variable in SubVariables(value))
                            {
                                yield return ("Sub", variable, path);
                            }

                            continue;
                        case "Fn::If":
                            yield return ("Condition", ValueOf(((YamlSequenceNode)value).Children[0])!, path);
                            break;
                        case "Condition" when value is YamlScalarNode:
                            yield return ("Condition", ValueOf(value)!, path);
                            continue;
                    }

                    foreach (var found in Walk(value, path))
                    {
                        yield return found;
                    }
                }

                break;
            case YamlSequenceNode sequence:
                var skipFirst = tag == "!If";
                foreach (var (item, index) in sequence.Children.Select((item, index) => (item, index)))
                {
                    if (skipFirst && index == 0)
                    {
                        continue;
                    }

                    foreach (var found in Walk(item, $"{where}[{index}]"))
                    {
                        yield return found;
                    }
                }

                break;
        }
    }

    private static string GetAttTarget(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value!.Split('.')[0],
        YamlSequenceNode sequence => ValueOf(sequence.Children[0])!,
        _ => "",
    };

    /// <summary>The <c>${Name}</c> / <c>${Name.Attribute}</c> variables of a Sub, without pseudo parameters and its own variable map.</summary>
    private static IEnumerable<string> SubVariables(YamlNode node)
    {
        var (text, own) = node switch
        {
            YamlSequenceNode sequence => (ValueOf(sequence.Children[0]) ?? "", (sequence.Children.ElementAtOrDefault(1) as YamlMappingNode)?.Children.Keys.Select(k => ValueOf(k)!).ToHashSet() ?? []),
            _ => (ValueOf(node) ?? "", new HashSet<string>()),
        };
        return SubVariablePattern().Matches(text)
            .Select(m => m.Groups["name"].Value.Split('.')[0])
            .Where(name => !name.StartsWith("AWS::", StringComparison.Ordinal) && !own.Contains(name));
    }

    [GeneratedRegex(@"\$\{(?!!)(?<name>[A-Za-z0-9:.]+)\}")]
    private static partial Regex SubVariablePattern();
}
