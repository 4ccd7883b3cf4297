using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace LeadFlow.Temporal.Encryption;

/// <summary>
/// The AES-256 keys a process encrypts and decrypts Temporal payloads with: one active key (new payloads) and any
/// number of older keys kept to decrypt what was written before a rotation. Immutable; key material never leaves it
/// except into <see cref="AesGcm"/>.
/// </summary>
public sealed class EncryptionKeyRing
{
    /// <summary>AES-256: 32 bytes.</summary>
    public const int KeySizeBytes = 32;

    /// <summary>Longest key id accepted (it travels in every payload's metadata).</summary>
    public const int MaxKeyIdLength = 64;

    private readonly Dictionary<string, byte[]> keys;

    private EncryptionKeyRing(string activeKeyId, Dictionary<string, byte[]> keys)
    {
        ActiveKeyId = activeKeyId;
        this.keys = keys;
    }

    /// <summary>The id new payloads are encrypted with (stored in their <c>encryption-key-id</c> metadata).</summary>
    public string ActiveKeyId { get; }

    /// <summary>Every key id this ring can decrypt, the active one included.</summary>
    public IReadOnlyCollection<string> KeyIds => keys.Keys;

    /// <summary>
    /// The ring these settings describe, or null when no key is configured (payloads then stay unencrypted).
    /// </summary>
    /// <exception cref="OptionsValidationException">The settings are wrong; the message names the variable.</exception>
    public static EncryptionKeyRing? From(PayloadEncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var ring = TryBuild(options, problems);
        return problems.Count == 0 ? ring : throw new OptionsValidationException(PayloadEncryptionOptions.Section, typeof(PayloadEncryptionOptions), problems);
    }

    /// <summary>A ring of the given keys (tests, the CLI's generated key): id to 32 key bytes.</summary>
    /// <exception cref="ArgumentException">The active id is not among the keys, or a key is not 32 bytes.</exception>
    public static EncryptionKeyRing Of(string activeKeyId, IReadOnlyDictionary<string, byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var options = new PayloadEncryptionOptions { ActiveKeyId = activeKeyId };
        foreach (var (id, key) in keys)
        {
            options.Keys[id] = Convert.ToBase64String(key);
        }

        var problems = new List<string>();
        return TryBuild(options, problems) is { } ring && problems.Count == 0 ? ring : throw new ArgumentException(string.Join(" ", problems), nameof(keys));
    }

    /// <summary>32 fresh random bytes, for a new key.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeySizeBytes);

    /// <summary>Whether <paramref name="keyId"/> is in the ring (ignoring case, as configuration keys are).</summary>
    public bool Contains(string keyId) => keys.ContainsKey(keyId);

    internal byte[] ActiveKey => keys[ActiveKeyId];

    internal bool TryGetKey(string keyId, out byte[] key) => keys.TryGetValue(keyId, out key!);

    internal static EncryptionKeyRing? TryBuild(PayloadEncryptionOptions options, List<string> problems)
    {
        if (!options.IsConfigured)
        {
            return null;
        }

        var v = PayloadEncryptionOptions.Variable;
        var encoded = new Dictionary<string, (string Base64, string Source)>(StringComparer.OrdinalIgnoreCase);
        var activeKeyId = options.ActiveKeyId;
        if (!string.IsNullOrWhiteSpace(options.KeyFile))
        {
            if (PayloadEncryptionOptions.KeyFileContent.Read(options.KeyFile, problems) is { } file)
            {
                activeKeyId = string.IsNullOrWhiteSpace(activeKeyId) ? file.ActiveKeyId : activeKeyId;
                foreach (var (id, key) in file.Keys ?? [])
                {
                    encoded[id] = (key, $"key \"{id}\" of {v}KeyFile ({options.KeyFile})");
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(options.KeyRing) && PayloadEncryptionOptions.KeyFileContent.Parse(options.KeyRing, problems) is { } ring)
        {
            activeKeyId = string.IsNullOrWhiteSpace(activeKeyId) ? ring.ActiveKeyId : activeKeyId;
            foreach (var (id, key) in ring.Keys ?? [])
            {
                if (encoded.TryGetValue(id, out var fromFile) && fromFile.Base64 != key)
                {
                    problems.Add($"key \"{id}\" of {v}KeyRing differs from {fromFile.Source}: one key id must always mean one key");
                }

                encoded[id] = (key, $"key \"{id}\" of {v}KeyRing");
            }
        }

        foreach (var (id, key) in options.Keys)
        {
            if (encoded.TryGetValue(id, out var fromFile) && fromFile.Base64 != key)
            {
                problems.Add($"{v}Keys__{id} differs from {fromFile.Source}: one key id must always mean one key");
            }

            encoded[id] = (key, $"{v}Keys__{id}");
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, (base64, source)) in encoded)
        {
            if (!IsValidKeyId(id))
            {
                problems.Add($"{source}: the key id must be 1 to {MaxKeyIdLength} letters, digits, '.', '_' or '-'");
                continue;
            }

            var bytes = new byte[KeySizeBytes + 1];
            if (!Convert.TryFromBase64String(base64?.Trim() ?? "", bytes, out var length) || length != KeySizeBytes)
            {
                problems.Add($"{source} must be base64 of exactly {KeySizeBytes} random bytes (AES-256), e.g. the output of `openssl rand -base64 32`");
                continue;
            }

            keys[id] = bytes[..KeySizeBytes];
        }

        if (string.IsNullOrWhiteSpace(activeKeyId))
        {
            problems.Add($"{v}ActiveKeyId must name the key new payloads are encrypted with (keys are configured, but no active key id)");
        }
        else if (!encoded.ContainsKey(activeKeyId))
        {
            problems.Add($"{v}ActiveKeyId is \"{activeKeyId}\", but no key has that id: set {v}Keys__{activeKeyId} (or add it to {v}KeyFile or {v}KeyRing)");
        }

        return problems.Count == 0 ? new EncryptionKeyRing(activeKeyId!, keys) : null;
    }

    private static bool IsValidKeyId(string id) =>
        id.Length is > 0 and <= MaxKeyIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
