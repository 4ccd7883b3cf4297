namespace LeadFlow.Temporal.Encryption;

/// <summary>
/// A payload was encrypted with a key this process does not have: typically a key removed from the ring while
/// histories written with it are still open (or read). The message names the key id and the setting that brings it back.
/// </summary>
public sealed class EncryptionKeyNotFoundException : InvalidOperationException
{
    /// <param name="keyId">The payload's <c>encryption-key-id</c>.</param>
    /// <param name="knownKeyIds">The ids this process has.</param>
    public EncryptionKeyNotFoundException(string keyId, IEnumerable<string> knownKeyIds)
        : base(
            $"Payload encrypted with key \"{keyId}\", which this process does not have (it has {string.Join(", ", knownKeyIds.Select(id => $"\"{id}\""))}); " +
            $"add it back as {PayloadEncryptionOptions.Variable}Keys__{keyId} (or to {PayloadEncryptionOptions.Variable}KeyFile) and restart. " +
            "Keep a retired key until no open or retained history uses it.")
    {
        KeyId = keyId;
    }

    /// <summary>The missing key id.</summary>
    public string KeyId { get; }
}

/// <summary>
/// A payload marked as encrypted could not be decrypted: its key id is known but the data does not authenticate
/// (another key under the same id, or damaged data), or the payload is malformed. Never a bare cryptographic exception.
/// </summary>
public sealed class PayloadDecryptionException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
