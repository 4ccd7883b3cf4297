using System.Globalization;
using LeadFlow.EmbeddedTemporal.Executions;
using LeadFlow.EmbeddedTemporal.Namespaces;
using LeadFlow.EmbeddedTemporal.Visibility;
using Temporalio.Api.Enums.V1;
using Attributes = LeadFlow.EmbeddedTemporal.Visibility.SystemSearchAttributes;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>
/// A visibility query compiled against one namespace's search attributes: undeclared names and values of the
/// wrong type are refused as the server refuses them ("invalid search attribute: X"). Comparisons follow the
/// SQL visibility store of the CLI dev server: a run without a value matches no comparison (use IS NULL);
/// Keyword compares exactly, Text matches when every word of the value is in the text, a KeywordList matches
/// when any element does. Without ORDER BY, open runs come first, then by close time and start time, newest first.
/// </summary>
internal sealed class VisibilityFilter
{
    private readonly Func<VisibilityRecord, bool> _matches;
    private readonly List<(string Column, IndexedValueType Type, bool Descending)> _order;

    private VisibilityFilter(Func<VisibilityRecord, bool> matches, List<(string, IndexedValueType, bool)> order, string? groupBy)
    {
        _matches = matches;
        _order = order;
        GroupBy = groupBy;
    }

    /// <summary>ExecutionStatus when the query ends in GROUP BY ExecutionStatus (CountWorkflowExecutions only).</summary>
    public string? GroupBy { get; }

    public static VisibilityFilter Compile(string? query, NamespaceRecord ns, bool allowGroupBy)
    {
        var syntax = QueryParser.Parse(query);
        if (syntax.GroupBy.Count > 1)
        {
            throw QueryParser.NotSupported("'group by' clause supports only a single field");
        }

        var groupBy = syntax.GroupBy.FirstOrDefault();
        if (groupBy is not null && groupBy != Attributes.ExecutionStatus)
        {
            throw QueryParser.NotSupported("'group by' clause is only supported for ExecutionStatus search attribute");
        }

        if (groupBy is not null && !allowGroupBy)
        {
            throw QueryParser.NotSupported("'group by' clause is only supported in CountWorkflowExecutions API");
        }

        if (groupBy is not null && syntax.OrderBy.Count > 0)
        {
            throw QueryParser.NotSupported("'order by' clause is not supported with 'group by' clause");
        }

        var order = new List<(string, IndexedValueType, bool)>();
        foreach (var term in syntax.OrderBy)
        {
            var type = Resolve(ns, term.Column, $"unable to convert 'order by' column name");
            if (type is IndexedValueType.Text or IndexedValueType.KeywordList)
            {
                throw QueryParser.Invalid($"unable to convert 'order by' column name: unable to sort by field of {Attributes.TypeName(type)} type, use field of type Keyword");
            }

            order.Add((term.Column, type, term.Descending));
        }

        var matches = syntax.Where is null ? (_ => true) : CompileNode(syntax.Where, ns);
        return new VisibilityFilter(matches, order, groupBy);
    }

    /// <summary>Caller holds the run's lock.</summary>
    public bool Matches(WorkflowRun run) => _matches(new VisibilityRecord(run));

    /// <summary>The runs in the query's order (or the default one). Takes each run's lock to read its values.</summary>
    public List<WorkflowRun> Sort(IEnumerable<WorkflowRun> runs)
    {
        var keyed = runs.Select(run =>
        {
            lock (run.Gate)
            {
                var record = new VisibilityRecord(run);
                return (Run: run, Keys: _order.Count > 0
                    ? _order.Select(o => record.Get(o.Column, o.Type)).ToArray()
                    : [run.CloseTime ?? DateTime.MaxValue, run.StartTime]);
            }
        }).ToList();
        var descending = _order.Count > 0 ? _order.Select(o => o.Descending).ToArray() : [true, true];
        keyed.Sort((a, b) =>
        {
            for (var i = 0; i < descending.Length; i++)
            {
                var (x, y) = (a.Keys[i], b.Keys[i]);
                if (x is null || y is null)
                {
                    // Runs without a value sort last whatever the direction, as ORDER BY ... missing _last does.
                    var missing = (x is null).CompareTo(y is null);
                    if (missing != 0)
                    {
                        return missing;
                    }

                    continue;
                }

                var compared = CompareValues(x, y);
                if (compared != 0)
                {
                    return descending[i] ? -compared : compared;
                }
            }

            return string.CompareOrdinal(a.Run.RunId, b.Run.RunId);
        });
        return keyed.ConvertAll(k => k.Run);
    }

    private static Func<VisibilityRecord, bool> CompileNode(QueryNode node, NamespaceRecord ns)
    {
        switch (node)
        {
            case AndNode and:
                var (andLeft, andRight) = (CompileNode(and.Left, ns), CompileNode(and.Right, ns));
                return record => andLeft(record) && andRight(record);
            case OrNode or:
                var (orLeft, orRight) = (CompileNode(or.Left, ns), CompileNode(or.Right, ns));
                return record => orLeft(record) || orRight(record);
            case IsNullNode isNull:
                var nullType = Resolve(ns, isNull.Column, "unable to convert left part of 'is' expression");
                return record => (record.Get(isNull.Column, nullType) is null) != isNull.Negated;
            case BetweenNode between:
                var rangeType = Resolve(ns, between.Column, "unable to convert left part of 'between' expression");
                var from = Convert(between.Column, rangeType, between.From);
                var to = Convert(between.Column, rangeType, between.To);
                return record => record.Get(between.Column, rangeType) is { } value
                    && (CompareValues(value, from) >= 0 && CompareValues(value, to) <= 0) != between.Negated;
            case ComparisonNode comparison:
                return CompileComparison(comparison, ns);
            default:
                throw QueryParser.NotSupported($"expression {node}");
        }
    }

    private static Func<VisibilityRecord, bool> CompileComparison(ComparisonNode node, NamespaceRecord ns)
    {
        var type = Resolve(ns, node.Column, $"unable to convert left side of \"{node.Text}\"");
        var allowed = type switch
        {
            IndexedValueType.Text => node.Operator is "=" or "!=",
            IndexedValueType.Bool => node.Operator is "=" or "!=",
            IndexedValueType.KeywordList => node.Operator is "=" or "!=" or "in" or "not in" or "starts_with" or "not starts_with",
            _ => true,
        };
        if (!allowed || (node.Operator.Contains("starts_with", StringComparison.Ordinal) && type is not (IndexedValueType.Keyword or IndexedValueType.KeywordList)))
        {
            throw QueryParser.Invalid($"operator '{node.Operator}' is not supported for {Attributes.TypeName(type)} type search attribute {node.Column}");
        }

        var values = node.Values.Select(v => Convert(node.Column, type, v)).ToList();
        var first = values[0];
        Func<object, bool> test = node.Operator switch
        {
            "=" when type == IndexedValueType.Text => value => TextMatches((string)value, (string)first),
            "!=" when type == IndexedValueType.Text => value => !TextMatches((string)value, (string)first),
            "=" or "in" => value => Elements(value).Any(e => values.Any(v => CompareValues(e, v) == 0)),
            "!=" or "not in" => value => !Elements(value).Any(e => values.Any(v => CompareValues(e, v) == 0)),
            "starts_with" => value => Elements(value).Any(e => ((string)e).StartsWith((string)first, StringComparison.Ordinal)),
            "not starts_with" => value => !Elements(value).Any(e => ((string)e).StartsWith((string)first, StringComparison.Ordinal)),
            "<" => value => CompareValues(value, first) < 0,
            "<=" => value => CompareValues(value, first) <= 0,
            ">" => value => CompareValues(value, first) > 0,
            ">=" => value => CompareValues(value, first) >= 0,
            _ => throw QueryParser.Invalid($"operator '{node.Operator}' not allowed in comparison expression"),
        };
        return record => record.Get(node.Column, type) is { } value && test(value);
    }

    private static IndexedValueType Resolve(NamespaceRecord ns, string column, string context) =>
        SearchAttributeSchema.TypeOf(ns, column)
        ?? throw QueryParser.Invalid($"unable to convert filter expression: {context}: invalid search attribute: {column}");

    private static object Convert(string column, IndexedValueType type, object literal)
    {
        var value = column switch
        {
            Attributes.ExecutionStatus => VisibilityRecord.ParseStatus(literal),
            Attributes.ExecutionDuration => ParseDuration(literal),
            _ => SearchAttributeValues.FromLiteral(literal, type),
        };
        return value ?? throw QueryParser.Invalid(
            $"unable to convert filter expression: unable to convert values of comparison expression: invalid value for search attribute {column} of type {Attributes.TypeName(type)}: {literal}");
    }

    /// <summary>ExecutionDuration in nanoseconds, given as nanoseconds, "1h2m3s" style or "hh:mm:ss".</summary>
    private static long? ParseDuration(object literal)
    {
        if (literal is long nanos)
        {
            return nanos;
        }

        var text = literal as string ?? string.Empty;
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            return span.Ticks * 100;
        }

        var match = System.Text.RegularExpressions.Regex.Match(text, @"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$");
        if (!match.Success || text.Length == 0)
        {
            return null;
        }

        double Part(int group) => match.Groups[group].Success ? double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        return (long)(((Part(1) * 3600) + (Part(2) * 60) + Part(3)) * 1e9);
    }

    private static IEnumerable<object> Elements(object value) => value is string[] list ? list : [value];

    private static bool TextMatches(string text, string query)
    {
        var words = Words(text).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Words(query).All(words.Contains);
    }

    private static IEnumerable<string> Words(string text) =>
        text.Split(text.Where(c => !char.IsLetterOrDigit(c)).Distinct().ToArray(), StringSplitOptions.RemoveEmptyEntries);

    private static int CompareValues(object a, object b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (long x, long y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        (long x, double y) => ((double)x).CompareTo(y),
        (double x, long y) => x.CompareTo(y),
        (DateTime x, DateTime y) => x.CompareTo(y),
        (bool x, bool y) => x.CompareTo(y),
        _ => string.CompareOrdinal(a.ToString(), b.ToString()),
    };
}
