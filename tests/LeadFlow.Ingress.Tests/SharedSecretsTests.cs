using LeadFlow.Hosting.Security;

namespace LeadFlow.Ingress.Tests;

/// <summary>
/// <see cref="SharedSecrets"/>, the constant-time check of a presented API key or access token that the CRM backend,
/// the HTTP intake and the codec server share. The hosts' own tests (AuthTests, HttpIntakeTests, CodecServerTests) show
/// it wired in; these pin the rule itself.
/// </summary>
public sealed class SharedSecretsTests
{
    private const string Primary = "0123456789abcdef-primary";
    private const string Secondary = "fedcba9876543210-secondary";

    [Fact]
    public void EqualValue_Matches()
    {
        var secrets = new SharedSecrets(Primary);

        Assert.Equal(0, secrets.IndexOf(Primary));
        Assert.True(secrets.Contains(new string(Primary.ToCharArray())));
    }

    [Theory]
    [InlineData("0123456789abcdef-primarY")]
    [InlineData("0123456789ABCDEF-PRIMARY")]
    [InlineData("x123456789abcdef-primary")]
    public void DifferentValueOfTheSameLength_DoesNotMatch(string presented)
    {
        Assert.Equal(Primary.Length, presented.Length);
        Assert.Equal(-1, new SharedSecrets(Primary).IndexOf(presented));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0123456789abcdef-primar")]
    [InlineData("0123456789abcdef-primary ")]
    [InlineData(" 0123456789abcdef-primary")]
    [InlineData("0123456789abcdef-primary0123456789abcdef-primary")]
    public void DifferentLength_DoesNotMatch_NotEvenAPrefixOrAPaddedCopy(string presented)
    {
        Assert.False(new SharedSecrets(Primary).Contains(presented));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void EmptyOrMissingPresented_MatchesNothing_NotEvenAnEmptyConfiguredSlot(string? presented)
    {
        var secrets = new SharedSecrets(Primary, "", null);

        Assert.Equal(-1, secrets.IndexOf(presented));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void EmptyOrMissingConfigured_IsASlotNothingMatches(string? configured)
    {
        var secrets = new SharedSecrets(configured, Secondary);

        Assert.Equal(2, secrets.Count);
        Assert.Equal(-1, secrets.IndexOf(""));
        Assert.Equal(-1, secrets.IndexOf(" "));
        Assert.Equal(1, secrets.IndexOf(Secondary));
    }

    [Fact]
    public void WhitespaceConfigured_IsComparedAsGiven_NotTreatedAsEmpty()
    {
        // The hosts trim (the codec server) or do not (the CRM backend) before they ask; this type changes nothing.
        var secrets = new SharedSecrets(" ");

        Assert.True(secrets.Contains(" "));
        Assert.False(secrets.Contains("  "));
    }

    [Fact]
    public void TwoConfiguredSecrets_BothMatch_EachAtItsOwnPosition()
    {
        // A current and a next key while one is rotated, or a write and a read key: the position says which.
        var secrets = new SharedSecrets(Primary, Secondary);

        Assert.Equal(0, secrets.IndexOf(Primary));
        Assert.Equal(1, secrets.IndexOf(Secondary));
        Assert.Equal(-1, secrets.IndexOf(Primary + Secondary));
    }

    [Fact]
    public void SameSecretTwice_TheFirstPositionWins()
    {
        Assert.Equal(1, new SharedSecrets(Secondary, Primary, Primary).IndexOf(Primary));
    }

    [Fact]
    public void NoSecretsConfigured_MatchesNothing()
    {
        var secrets = new SharedSecrets([]);

        Assert.Equal(0, secrets.Count);
        Assert.Equal(-1, secrets.IndexOf(Primary));
    }

    [Fact]
    public void NullSecretList_IsRefused()
    {
        Assert.Throws<ArgumentNullException>(() => new SharedSecrets((IEnumerable<string?>)null!));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(169)]
    [InlineData(170)]
    [InlineData(5000)]
    public void LongAndNonAsciiValues_AreComparedByTheirUtf8Bytes(int length)
    {
        // Past 512 UTF-8 bytes reserved the presented value is hashed from the heap instead of a stack buffer
        // (Encoding.UTF8.GetMaxByteCount reserves 3 bytes a char, plus one char: 169 chars fit, 170 do not).
        var secret = string.Concat(Enumerable.Repeat("ñ€k", length / 3 + 1))[..length];
        var secrets = new SharedSecrets(secret);

        Assert.True(secrets.Contains(new string(secret.ToCharArray())));
        Assert.False(secrets.Contains(secret[..^1] + "n"));
        Assert.False(secrets.Contains(secret[..^1]));
    }

    [Fact]
    public void ToString_ShowsTheCountOnly()
    {
        var text = new SharedSecrets(Primary, Secondary).ToString();

        Assert.Equal("2 shared secret(s)", text);
        Assert.DoesNotContain("primary", text, StringComparison.OrdinalIgnoreCase);
    }
}
