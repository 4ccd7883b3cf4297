using System.Security.Cryptography;
using System.Text;

namespace LeadFlow.Hosting.Security;

/// <summary>
/// The shared secrets a host accepts from its callers (API keys, bearer access tokens), and the one place a presented
/// credential is checked against them: in constant time, as OWASP asks of every secret comparison
/// (https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html).
/// </summary>
/// <remarks>
/// <para>
/// Shape: an ordered list of configured secrets (a host's write and read keys, a codec server's named tokens, or a
/// current and a next key while one is rotated); <see cref="IndexOf"/> says which of them a presented credential is.
/// Only SHA-256 hashes of the UTF-8 bytes are kept (the secrets themselves are not held), and the type writes no log
/// and its <see cref="ToString"/> shows only the count, so nothing here can put a secret in a log line.
/// </para>
/// <para>
/// Why hash first: <see cref="CryptographicOperations.FixedTimeEquals"/> takes time independent of the contents only
/// for inputs of the same length, and returns at once when the lengths differ
/// (https://learn.microsoft.com/dotnet/api/system.security.cryptography.cryptographicoperations.fixedtimeequals).
/// Comparing the 32-byte hashes makes the time independent of both the presented value and the secret's length.
/// Every configured secret is compared on every call (no early return on a match), so the time does not say which one
/// matched either.
/// </para>
/// <para>
/// Empty means absent, on both sides: a null or empty presented credential matches nothing, and a null or empty
/// configured secret is a slot that is not set and is matched by nothing. A host that is open when no secret is set
/// (the HTTP intake on loopback) decides that itself before asking. Values are compared as given (ordinal, no
/// trimming, no case folding): a host that trims does so on both sides before it asks.
/// </para>
/// <para>Immutable after construction; safe to share between concurrent requests.</para>
/// </remarks>
public sealed class SharedSecrets
{
    private const int HashSize = SHA256.HashSizeInBytes;

    // Above this many UTF-8 bytes a presented value is hashed from the heap: every request carries one, and a header
    // of a sensible size should not allocate.
    private const int StackLimit = 512;

    // The configured secrets' hashes, HashSize bytes each, back to back in configuration order.
    private readonly byte[] hashes;

    // Whether each slot holds a secret (an empty one is matched by nothing).
    private readonly bool[] configured;

    /// <summary>Hashes <paramref name="secrets"/>, in order; null or empty ones are slots that match nothing.</summary>
    /// <param name="secrets">The configured secrets; their positions are what <see cref="IndexOf"/> answers.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secrets"/> is null.</exception>
    public SharedSecrets(params IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var list = secrets.ToList();
        hashes = new byte[list.Count * HashSize];
        configured = new bool[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            configured[i] = !string.IsNullOrEmpty(list[i]);
            SHA256.HashData(Encoding.UTF8.GetBytes(list[i] ?? ""), hashes.AsSpan(i * HashSize, HashSize));
        }
    }

    /// <summary>How many secrets were configured, empty slots included.</summary>
    public int Count => configured.Length;

    /// <summary>
    /// The position of the first configured secret equal to <paramref name="presented"/>; -1 when none is, or when
    /// <paramref name="presented"/> is null or empty. The time taken depends on <see cref="Count"/> and on the
    /// presented value's length (the hashing), never on the secrets or on which one matched.
    /// </summary>
    public int IndexOf(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return -1;
        }

        Span<byte> hash = stackalloc byte[HashSize];
        HashUtf8(presented, hash);
        var found = -1;
        for (var i = 0; i < configured.Length; i++)
        {
            // Both sides are evaluated on every slot: no short circuit that would time which slot matched.
            var equal = CryptographicOperations.FixedTimeEquals(hash, hashes.AsSpan(i * HashSize, HashSize)) & configured[i];
            if (equal && found < 0)
            {
                found = i;
            }
        }

        return found;
    }

    /// <summary>Whether <paramref name="presented"/> is one of the configured secrets (<see cref="IndexOf"/> is not -1).</summary>
    public bool Contains(string? presented) => IndexOf(presented) >= 0;

    /// <summary>The count only: the secrets and their hashes are never part of a text.</summary>
    public override string ToString() => $"{Count} shared secret(s)";

    private static void HashUtf8(string value, Span<byte> destination)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> utf8 = maxBytes <= StackLimit ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var written = Encoding.UTF8.GetBytes(value, utf8);
        SHA256.HashData(utf8[..written], destination);

        // The presented bytes may be a valid secret: leave no copy of them behind in the buffer.
        CryptographicOperations.ZeroMemory(utf8[..written]);
    }
}
