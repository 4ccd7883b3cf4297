using System.Reflection;

namespace LeadFlow.Cli.Tests.Support;

/// <summary>
/// The configuration keys a project reads, collected from its options classes (a <c>public const string Section</c>
/// and the bindable properties, nested ones included) in its assembly and the LeadFlow assemblies it references.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>The last segment of a key that stands for any entry of a list or dictionary setting (<c>Codec:AccessTokens:*</c>).</summary>
    public const string AnyEntry = ":*";

    public static IReadOnlySet<string> Of(string assemblyName)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assembly in WithLeadFlowReferences(Assembly.Load(assemblyName)))
        {
            foreach (var type in assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract))
            {
                if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.GetRawConstantValue() is string section)
                {
                    AddProperties(type, section, keys, depth: 0);
                }
            }
        }

        return keys;
    }

    private static IEnumerable<Assembly> WithLeadFlowReferences(Assembly root)
    {
        var seen = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([root]);
        while (pending.TryPop(out var assembly))
        {
            if (!seen.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("LeadFlow.", StringComparison.Ordinal)))
            {
                pending.Push(Assembly.Load(reference));
            }
        }

        return seen.Values;
    }

    private static void AddProperties(Type type, string prefix, HashSet<string> keys, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var key = $"{prefix}:{property.Name}";
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var isLeaf = valueType.IsPrimitive || valueType.IsEnum || valueType == typeof(string) || valueType == typeof(Uri) || valueType == typeof(TimeSpan) || valueType == typeof(decimal);
            if (isLeaf && property.CanWrite)
            {
                keys.Add(key);
            }
            else if (!isLeaf && typeof(System.Collections.IEnumerable).IsAssignableFrom(valueType))
            {
                keys.Add(key + AnyEntry);
            }
            else if (!isLeaf && valueType.IsClass && depth < 3)
            {
                AddProperties(valueType, key, keys, depth + 1);
            }
        }
    }
}
