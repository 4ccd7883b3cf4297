using LeadFlow.Leads;

namespace LeadFlow.Leads.Tests;

public class RutTests
{
    [Theory]
    [InlineData("11111111-1", "11111111-1")]
    [InlineData("11.111.111-1", "11111111-1")]
    [InlineData("111111111", "11111111-1")]
    [InlineData(" 12.345.678-5 ", "12345678-5")]
    [InlineData("10000013-k", "10000013-K")]
    [InlineData("10.000.013-K", "10000013-K")]
    [InlineData("6-K", "6-K")]
    [InlineData("012345678-5", "12345678-5")]
    public void ValidSpellings_NormaliseToDigitsHyphenCheckDigit(string input, string expected)
    {
        Assert.True(Rut.TryNormalize(input, out var normalized, out var error), error?.ToString());
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("11111111-2", "rut.checkDigit")]
    [InlineData("12345678-K", "rut.checkDigit")]
    [InlineData("1234567A-5", "rut.format")]
    [InlineData("-", "rut.format")]
    [InlineData("0-0", "rut.format")]
    [InlineData("1234567890-1", "rut.format")]
    [InlineData("11111111-X", "rut.format")]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData(null, "required")]
    [InlineData("11.111.111-1 OR 1=1", "rut.format")]
    public void InvalidRuts_NameTheRule(string? input, string rule)
    {
        Assert.False(Rut.TryNormalize(input, out _, out var error));
        Assert.Equal("rut", error.Field);
        Assert.Equal(rule, error.Rule);
    }

    [Fact]
    public void CheckDigit_CoversEveryRemainder()
    {
        // Bodies picked so that 11 - sum % 11 runs through 1..11, including the 10 -> K and 11 -> 0 cases.
        var digits = Enumerable.Range(1_000_000, 40).Select(n => Rut.CheckDigit(n.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToHashSet();
        Assert.Contains('K', digits);
        Assert.Contains('0', digits);
        Assert.Equal(11, digits.Count);
    }

    [Fact]
    public void CheckDigit_MatchesKnownRuts()
    {
        Assert.Equal('1', Rut.CheckDigit("11111111"));
        Assert.Equal('5', Rut.CheckDigit("12345678"));
        Assert.Equal('K', Rut.CheckDigit("10000013"));
        Assert.Equal('0', Rut.CheckDigit("10000004"));
    }
}
