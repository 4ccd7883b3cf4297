using LeadFlow.EmbeddedTemporal.Namespaces;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>
/// What a namespace's search attributes are and whether values written to them are valid, with the real
/// server's rules and messages (common/searchattribute/validator.go): system attributes cannot be written,
/// undeclared ones are "not defined", a value must decode as the declared type, and the default limits hold
/// (100 keys, 2 KiB per value, 40 KiB in all: frontend.searchAttributes*Limit in dynamic config).
/// </summary>
internal static class SearchAttributeSchema
{
    public const int MaxKeys = 100;
    public const int MaxValueBytes = 2 * 1024;
    public const int MaxTotalBytes = 40 * 1024;

    /// <summary>
    /// How many custom attributes of each type a namespace may have: the SQL visibility store's pre-allocated
    /// columns (sadefs.defaultNumDBCustomSearchAttributes), which the CLI dev server uses.
    /// </summary>
    public static readonly IReadOnlyDictionary<IndexedValueType, int> MaxCustomPerType = new Dictionary<IndexedValueType, int>
    {
        [IndexedValueType.Bool] = 3,
        [IndexedValueType.Int] = 3,
        [IndexedValueType.Double] = 3,
        [IndexedValueType.Datetime] = 3,
        [IndexedValueType.Keyword] = 10,
        [IndexedValueType.KeywordList] = 3,
        [IndexedValueType.Text] = 3,
    };

    /// <summary>The declared type of a name a query or a write refers to, or null when the namespace does not know it.</summary>
    public static IndexedValueType? TypeOf(NamespaceRecord ns, string name)
    {
        if (SystemSearchAttributes.System.TryGetValue(name, out var system))
        {
            return system;
        }

        if (SystemSearchAttributes.Predefined.TryGetValue(name, out var predefined))
        {
            return predefined;
        }

        return ns.CustomSearchAttributes.TryGetValue(name, out var custom) ? custom : null;
    }

    /// <summary>Null when the attributes may be written (on start, upsert or continue-as-new), else the reason.</summary>
    public static string? Validate(NamespaceRecord ns, SearchAttributes? attributes)
    {
        if (attributes is null || attributes.IndexedFields.Count == 0)
        {
            return null;
        }

        if (attributes.IndexedFields.Count > MaxKeys)
        {
            return $"number of search attributes {attributes.IndexedFields.Count} exceeds limit {MaxKeys}";
        }

        var total = 0;
        foreach (var (name, payload) in attributes.IndexedFields)
        {
            if (SystemSearchAttributes.System.ContainsKey(name))
            {
                return $"{name} attribute can't be set in SearchAttributes";
            }

            if (TypeOf(ns, name) is not { } type)
            {
                return $"search attribute {name} is not defined";
            }

            if (!SearchAttributeValues.IsUnset(payload) && !SearchAttributeValues.TryDecode(payload, type, out _))
            {
                return $"{SearchAttributeValues.Describe(payload)} is not a valid value for search attribute {name} of type {SystemSearchAttributes.TypeName(type)}";
            }

            if (payload.Data.Length > MaxValueBytes)
            {
                return $"search attribute {name} value of size {payload.Data.Length}: exceeds size limit {MaxValueBytes}";
            }

            total += payload.CalculateSize();
        }

        return total > MaxTotalBytes ? $"total size of search attributes {total}: exceeds size limit {MaxTotalBytes}" : null;
    }

    /// <summary>Applies an upsert to a run's attributes: new values replace old ones, null or [] removes the key.</summary>
    public static void Merge(SearchAttributes target, SearchAttributes? upsert)
    {
        foreach (var (name, payload) in upsert?.IndexedFields ?? [])
        {
            if (SearchAttributeValues.IsUnset(payload))
            {
                target.IndexedFields.Remove(name);
            }
            else
            {
                target.IndexedFields[name] = payload;
            }
        }
    }

    /// <summary>A copy for Describe/List: every value carries its declared type, as the server returns them.</summary>
    public static SearchAttributes Typed(NamespaceRecord ns, SearchAttributes stored)
    {
        var typed = new SearchAttributes();
        foreach (var (name, payload) in stored.IndexedFields)
        {
            typed.IndexedFields[name] = TypeOf(ns, name) is { } type ? SearchAttributeValues.WithType(payload, type) : payload;
        }

        return typed;
    }
}
