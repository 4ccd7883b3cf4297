using System.Globalization;

namespace LeadFlow.Benchmarks;

/// <summary>The <c>--name value</c> options every benchmark takes.</summary>
public static class BenchmarkArgs
{
    /// <summary>The positive whole number after <paramref name="name"/>, or <paramref name="fallback"/> when the option is absent.</summary>
    /// <exception cref="ArgumentException">The option is given without a positive whole number.</exception>
    public static int PositiveInt(string[] args, string name, int fallback)
    {
        ArgumentNullException.ThrowIfNull(args);
        var at = Array.IndexOf(args, name);
        if (at < 0)
        {
            return fallback;
        }

        return at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive whole number, e.g. {name} {fallback}", nameof(args));
    }
}
