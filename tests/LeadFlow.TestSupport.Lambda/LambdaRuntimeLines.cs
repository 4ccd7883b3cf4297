using System.Globalization;

namespace LeadFlow.TestSupport.Lambda;

/// <summary>
/// What the Lambda runtime tool (<c>tests/LeadFlow.LambdaRuntime</c>) tells the process that started it, one
/// standard-output line each: <c>lambda-runtime: ready url=... init-ms=...</c> once the Invoke API listens, and
/// <c>lambda-runtime: invoked ms=... ok=...</c> after each invocation. Written and read here, so both sides agree.
/// </summary>
public static class LambdaRuntimeLines
{
    /// <summary>Every line of the tool starts with this; the function's own output does not.</summary>
    public const string Prefix = "lambda-runtime: ";

    /// <summary>The line kind printed once the handler is loaded, constructed and served.</summary>
    public const string Ready = "ready";

    /// <summary>The line kind printed after each invocation.</summary>
    public const string Invoked = "invoked";

    /// <summary>A line of <paramref name="kind"/> with <c>key=value</c> fields (values without spaces; numbers invariant).</summary>
    public static string Format(string kind, params (string Key, object Value)[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return Prefix + kind + string.Concat(fields.Select(f => string.Create(CultureInfo.InvariantCulture, $" {f.Key}={f.Value}")));
    }

    /// <summary>The kind and fields of a tool line; false for any other output.</summary>
    public static bool TryParse(string? line, out string kind, out IReadOnlyDictionary<string, string> fields)
    {
        kind = "";
        fields = new Dictionary<string, string>();
        if (line is null || !line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var words = line[Prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        kind = words.FirstOrDefault() ?? "";
        fields = words.Skip(1).Where(w => w.Contains('=', StringComparison.Ordinal)).Select(w => w.Split('=', 2))
            .ToDictionary(w => w[0], w => w[1], StringComparer.Ordinal);
        return true;
    }

    /// <summary>A numeric field, in the invariant culture.</summary>
    /// <exception cref="KeyNotFoundException">The line has no such field.</exception>
    public static double Number(IReadOnlyDictionary<string, string> fields, string key)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return double.Parse(fields[key], CultureInfo.InvariantCulture);
    }
}
