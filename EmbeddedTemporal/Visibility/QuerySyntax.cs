namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>A parsed visibility query: the filter, ORDER BY and GROUP BY clauses.</summary>
internal sealed record QuerySyntax(QueryNode? Where, IReadOnlyList<OrderTerm> OrderBy, IReadOnlyList<string> GroupBy);

/// <summary>One ORDER BY column.</summary>
internal sealed record OrderTerm(string Column, bool Descending);

/// <summary>A node of the WHERE expression.</summary>
internal abstract record QueryNode;

internal sealed record AndNode(QueryNode Left, QueryNode Right) : QueryNode;

internal sealed record OrNode(QueryNode Left, QueryNode Right) : QueryNode;

/// <summary>
/// <c>Column op value</c> with op one of =, !=, &lt;, &lt;=, &gt;, &gt;=, in, not in, starts_with,
/// not starts_with. Values are string, long, double or bool literals; IN has several.
/// </summary>
internal sealed record ComparisonNode(string Column, string Operator, IReadOnlyList<object> Values, string Text) : QueryNode;

/// <summary><c>Column [NOT] BETWEEN from AND to</c>, both ends included.</summary>
internal sealed record BetweenNode(string Column, bool Negated, object From, object To, string Text) : QueryNode;

/// <summary><c>Column IS [NOT] NULL</c>.</summary>
internal sealed record IsNullNode(string Column, bool Negated) : QueryNode;
