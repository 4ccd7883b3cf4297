using System.Globalization;
using System.Text;
using LeadFlow.EmbeddedTemporal.Grpc;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>
/// Parses the visibility query language: the WHERE part of SQL the server accepts (temporalio/sqlparser as the
/// server's query converter uses it): AND, OR, parentheses, =, !=, &lt;&gt;, &lt;, &lt;=, &gt;, &gt;=,
/// [NOT] IN (...), [NOT] BETWEEN a AND b, IS [NOT] NULL, [NOT] STARTS_WITH, then ORDER BY and GROUP BY.
/// Errors are InvalidArgument "invalid query: ..." as the server words them.
/// </summary>
internal sealed class QueryParser
{
    private readonly List<Token> _tokens;
    private int _position;

    private QueryParser(List<Token> tokens) => _tokens = tokens;

    private enum Kind
    {
        Word,
        Quoted,
        Number,
        Symbol,
        End,
    }

    private Token Current => _tokens[_position];

    public static QuerySyntax Parse(string? query)
    {
        var parser = new QueryParser(Tokenize(query ?? string.Empty));
        return parser.ParseQuery();
    }

    public static Exception Malformed(string detail) => Invalid($"malformed SQL query: {detail}");

    public static Exception NotSupported(string detail) => Invalid($"operation is not supported: {detail}");

    public static Exception Invalid(string message) => RpcErrors.InvalidArgument($"invalid query: {message}");

    private QuerySyntax ParseQuery()
    {
        QueryNode? where = null;
        if (Current.Kind != Kind.End && !IsKeyword("ORDER") && !IsKeyword("GROUP"))
        {
            where = ParseOr();
        }

        var groupBy = new List<string>();
        var orderBy = new List<OrderTerm>();
        while (Current.Kind != Kind.End)
        {
            if (TakeKeyword("GROUP"))
            {
                ExpectKeyword("BY");
                do
                {
                    groupBy.Add(ExpectColumn());
                }
                while (TakeSymbol(","));
            }
            else if (TakeKeyword("ORDER"))
            {
                ExpectKeyword("BY");
                do
                {
                    var column = ExpectColumn();
                    var descending = TakeKeyword("DESC");
                    if (!descending)
                    {
                        TakeKeyword("ASC");
                    }

                    orderBy.Add(new OrderTerm(column, descending));
                }
                while (TakeSymbol(","));
            }
            else if (IsKeyword("LIMIT"))
            {
                throw NotSupported("'limit' clause");
            }
            else
            {
                throw Malformed($"syntax error near '{Current.Text}'");
            }
        }

        return new QuerySyntax(where, orderBy, groupBy);
    }

    private QueryNode ParseOr()
    {
        var left = ParseAnd();
        while (TakeKeyword("OR"))
        {
            left = new OrNode(left, ParseAnd());
        }

        return left;
    }

    private QueryNode ParseAnd()
    {
        var left = ParsePrimary();
        while (TakeKeyword("AND"))
        {
            left = new AndNode(left, ParsePrimary());
        }

        return left;
    }

    private QueryNode ParsePrimary()
    {
        if (TakeSymbol("("))
        {
            var inner = ParseOr();
            ExpectSymbol(")");
            return inner;
        }

        if (IsKeyword("NOT"))
        {
            throw NotSupported("'not' expression");
        }

        var start = _position;
        var column = ExpectColumn();
        if (TakeKeyword("IS"))
        {
            var negated = TakeKeyword("NOT");
            ExpectKeyword("NULL");
            return new IsNullNode(column, negated);
        }

        var not = TakeKeyword("NOT");
        if (TakeKeyword("BETWEEN"))
        {
            var from = ExpectValue(column);
            ExpectKeyword("AND");
            var to = ExpectValue(column);
            return new BetweenNode(column, not, from, to, TextFrom(start));
        }

        if (TakeKeyword("IN"))
        {
            ExpectSymbol("(");
            var values = new List<object>();
            do
            {
                values.Add(ExpectValue(column));
            }
            while (TakeSymbol(","));
            ExpectSymbol(")");
            return new ComparisonNode(column, not ? "not in" : "in", values, TextFrom(start));
        }

        if (TakeKeyword("STARTS_WITH"))
        {
            return new ComparisonNode(column, not ? "not starts_with" : "starts_with", [ExpectValue(column)], TextFrom(start));
        }

        if (not)
        {
            throw Malformed($"syntax error near '{Current.Text}'");
        }

        if (Current.Kind != Kind.Symbol || Current.Text is not ("=" or "!=" or "<>" or "<" or "<=" or ">" or ">="))
        {
            throw Invalid($"incomplete expression near '{column}'");
        }

        var op = Current.Text == "<>" ? "!=" : Current.Text;
        _position++;
        return new ComparisonNode(column, op, [ExpectValue(column)], TextFrom(start));
    }

    private object ExpectValue(string column)
    {
        var token = Current;
        _position++;
        return token.Kind switch
        {
            Kind.Quoted => token.Text,
            Kind.Number when long.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => whole,
            Kind.Number => double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture),
            Kind.Word when token.Text.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            Kind.Word when token.Text.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            Kind.Word => throw NotSupported($"column name on the right side of comparison expression (did you forget to quote '{token.Text}'?)"),
            _ => throw Malformed($"a value was expected after {column}, found '{token.Text}'"),
        };
    }

    private string ExpectColumn()
    {
        if (Current.Kind != Kind.Word || IsReservedWord(Current.Text))
        {
            throw Malformed($"syntax error near '{Current.Text}'");
        }

        return _tokens[_position++].Text;
    }

    private bool IsKeyword(string keyword) => Current.Kind == Kind.Word && !Current.Backquoted && Current.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    private bool TakeKeyword(string keyword)
    {
        if (!IsKeyword(keyword))
        {
            return false;
        }

        _position++;
        return true;
    }

    private void ExpectKeyword(string keyword)
    {
        if (!TakeKeyword(keyword))
        {
            throw Malformed($"expected {keyword} near '{Current.Text}'");
        }
    }

    private bool TakeSymbol(string symbol)
    {
        if (Current.Kind != Kind.Symbol || Current.Text != symbol)
        {
            return false;
        }

        _position++;
        return true;
    }

    private void ExpectSymbol(string symbol)
    {
        if (!TakeSymbol(symbol))
        {
            throw Malformed($"expected '{symbol}' near '{Current.Text}'");
        }
    }

    private string TextFrom(int start) => string.Join(' ', _tokens.Skip(start).Take(_position - start).Select(t => t.Kind == Kind.Quoted ? $"'{t.Text}'" : t.Text));

    private static bool IsReservedWord(string word) => word.ToUpperInvariant() is "AND" or "OR" or "NOT" or "IN" or "IS" or "NULL" or "BETWEEN" or "ORDER" or "GROUP" or "BY" or "LIMIT";

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(new Token(Kind.Quoted, ReadQuoted(text, ref i), false));
            }
            else if (c == '`')
            {
                var end = text.IndexOf('`', i + 1);
                if (end < 0)
                {
                    throw Malformed("unterminated back-quoted name");
                }

                tokens.Add(new Token(Kind.Word, text[(i + 1)..end], true));
                i = end + 1;
            }
            else if (char.IsDigit(c) || (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                var start = i++;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] is '.' or 'e' or 'E'))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Number, text[start..i], false));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Word, text[start..i], false));
            }
            else if (i + 1 < text.Length && text.Substring(i, 2) is "!=" or "<>" or "<=" or ">=")
            {
                tokens.Add(new Token(Kind.Symbol, text.Substring(i, 2), false));
                i += 2;
            }
            else if (c is '=' or '<' or '>' or '(' or ')' or ',')
            {
                tokens.Add(new Token(Kind.Symbol, c.ToString(), false));
                i++;
            }
            else
            {
                throw Malformed($"syntax error at position {i + 1} near '{text[i..Math.Min(text.Length, i + 10)]}'");
            }
        }

        tokens.Add(new Token(Kind.End, "end of query", false));
        return tokens;
    }

    /// <summary>A quoted literal; the quote is escaped by doubling it or with a backslash, as in MySQL.</summary>
    private static string ReadQuoted(string text, ref int i)
    {
        var quote = text[i++];
        var value = new StringBuilder();
        while (i < text.Length)
        {
            var c = text[i++];
            if (c == '\\' && i < text.Length)
            {
                value.Append(text[i++]);
            }
            else if (c == quote && i < text.Length && text[i] == quote)
            {
                value.Append(quote);
                i++;
            }
            else if (c == quote)
            {
                return value.ToString();
            }
            else
            {
                value.Append(c);
            }
        }

        throw Malformed("unterminated string literal");
    }

    private sealed record Token(Kind Kind, string Text, bool Backquoted);
}
