using LeadFlow.Temporal.Encryption;

namespace LeadFlow.TestSupport;

/// <summary>
/// The payload encryption key of the tests: a TEST FIXTURE, fixed so the checked-in replay histories (encrypted with it)
/// decode on every machine. It protects nothing and is never used outside the tests; the product's keys come from
/// <c>LeadFlow__Encryption__*</c> or the key file <c>leadflow up</c> generates.
/// </summary>
public static class TestEncryptionKeys
{
    /// <summary>The fixture key's id, as it appears in the payloads' <c>encryption-key-id</c>.</summary>
    public const string FixtureKeyId = "test-fixture-key-1";

    /// <summary>Base64 of the fixture key's 32 bytes (the bytes 0x00..0x1f: a fixture, not a secret).</summary>
    public const string FixtureKeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// <summary>Settings naming only the fixture key, as a host reads them (<c>LeadFlow__Encryption__*</c>).</summary>
    public static PayloadEncryptionOptions Options() => new()
    {
        ActiveKeyId = FixtureKeyId,
        Keys = new(StringComparer.OrdinalIgnoreCase) { [FixtureKeyId] = FixtureKeyBase64 },
    };

    /// <summary>The ring of the fixture key alone.</summary>
    public static EncryptionKeyRing Ring() => EncryptionKeyRing.From(Options())!;

    /// <summary>The configuration entries of <see cref="Options"/> (<c>LeadFlow:Encryption:*</c>), for a host's in-memory configuration.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings() => SettingsFor(FixtureKeyId, (FixtureKeyId, FixtureKeyBase64));

    /// <summary>Configuration entries for any key ring: the active id and each (id, base64 key).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> SettingsFor(string activeKeyId, params (string Id, string Base64)[] keys)
    {
        yield return new("LeadFlow:Encryption:ActiveKeyId", activeKeyId);
        foreach (var (id, base64) in keys)
        {
            yield return new($"LeadFlow:Encryption:Keys:{id}", base64);
        }
    }
}
