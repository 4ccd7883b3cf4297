using System.Security.Cryptography;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Converters;

namespace LeadFlow.Temporal.Encryption;

/// <summary>
/// Temporal payload codec encrypting every payload with AES-256-GCM (the BCL's <see cref="AesGcm"/>), in the layout of
/// Temporal's encryption samples so their codec servers read it too: the whole input payload (metadata and data,
/// protobuf-serialised) is encrypted; the new payload has metadata <c>encoding: binary/encrypted</c> and
/// <c>encryption-key-id: &lt;id&gt;</c>, and data = 12-byte random nonce, ciphertext, 16-byte tag.
/// Decoding leaves payloads without that encoding as they are, so histories written before encryption was turned
/// on still read. Keys: <see cref="EncryptionKeyRing"/> (the active key encrypts, any key of the ring decrypts).
/// </summary>
public sealed class AesGcmPayloadCodec : IPayloadCodec
{
    /// <summary>The <c>encoding</c> metadata of an encrypted payload.</summary>
    public const string EncryptedEncoding = "binary/encrypted";

    /// <summary>Metadata key holding the id of the key a payload was encrypted with.</summary>
    public const string KeyIdMetadataKey = "encryption-key-id";

    /// <summary>Bytes of the random nonce in front of the ciphertext.</summary>
    public const int NonceSize = 12;

    /// <summary>Bytes of the authentication tag after the ciphertext.</summary>
    public const int TagSize = 16;

    private static readonly ByteString EncodingValue = ByteString.CopyFromUtf8(EncryptedEncoding);

    private readonly ByteString activeKeyId;

    /// <param name="keys">The ring; its active key encrypts.</param>
    public AesGcmPayloadCodec(EncryptionKeyRing keys)
    {
        Keys = keys ?? throw new ArgumentNullException(nameof(keys));
        activeKeyId = ByteString.CopyFromUtf8(keys.ActiveKeyId);
    }

    /// <summary>The keys this codec uses.</summary>
    public EncryptionKeyRing Keys { get; }

    /// <summary>Whether a payload is one this codec encrypted (any key).</summary>
    public static bool IsEncrypted(Payload payload) =>
        payload is not null && payload.Metadata.TryGetValue("encoding", out var encoding) && encoding == EncodingValue;

    /// <summary>The key id an encrypted payload names; null for a payload that is not encrypted.</summary>
    public static string? KeyIdOf(Payload payload) =>
        IsEncrypted(payload) && payload.Metadata.TryGetValue(KeyIdMetadataKey, out var id) ? id.ToStringUtf8() : null;

    /// <inheritdoc />
    public Task<IReadOnlyCollection<Payload>> EncodeAsync(IReadOnlyCollection<Payload> payloads)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var encoded = new List<Payload>(payloads.Count);
        using var aes = new AesGcm(Keys.ActiveKey, TagSize);
        foreach (var payload in payloads)
        {
            encoded.Add(Encrypt(aes, payload));
        }

        return Task.FromResult<IReadOnlyCollection<Payload>>(encoded);
    }

    /// <inheritdoc />
    /// <exception cref="EncryptionKeyNotFoundException">A payload names a key this ring does not have.</exception>
    /// <exception cref="PayloadDecryptionException">A payload does not decrypt with the key of its id, or is malformed.</exception>
    public Task<IReadOnlyCollection<Payload>> DecodeAsync(IReadOnlyCollection<Payload> payloads)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var decoded = new List<Payload>(payloads.Count);
        foreach (var payload in payloads)
        {
            decoded.Add(IsEncrypted(payload) ? Decrypt(payload) : payload);
        }

        return Task.FromResult<IReadOnlyCollection<Payload>>(decoded);
    }

    private Payload Encrypt(AesGcm aes, Payload payload)
    {
        var plaintext = payload.ToByteArray();
        var data = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = data.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plaintext, data.AsSpan(NonceSize, plaintext.Length), data.AsSpan(NonceSize + plaintext.Length, TagSize));
        return new Payload
        {
            Metadata = { ["encoding"] = EncodingValue, [KeyIdMetadataKey] = activeKeyId },
            Data = UnsafeByteOperations.UnsafeWrap(data),
        };
    }

    private Payload Decrypt(Payload payload)
    {
        var keyId = KeyIdOf(payload)
            ?? throw new PayloadDecryptionException($"An encrypted payload ({EncryptedEncoding}) has no {KeyIdMetadataKey} metadata: it was not written by this codec.");
        if (!Keys.TryGetKey(keyId, out var key))
        {
            throw new EncryptionKeyNotFoundException(keyId, Keys.KeyIds);
        }

        var data = payload.Data.Span;
        if (data.Length < NonceSize + TagSize)
        {
            throw new PayloadDecryptionException($"An encrypted payload (key \"{keyId}\") is {data.Length} bytes, shorter than a nonce and a tag ({NonceSize + TagSize}): it is damaged.");
        }

        var plaintext = new byte[data.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(data[..NonceSize], data[NonceSize..^TagSize], data[^TagSize..], plaintext);
        }
        catch (CryptographicException e)
        {
            throw new PayloadDecryptionException(
                $"A payload encrypted with key \"{keyId}\" does not decrypt with this process's key of that id: " +
                $"{PayloadEncryptionOptions.Variable}Keys__{keyId} holds another key than the one it was written with, or the payload is damaged.",
                e);
        }

        try
        {
            return Payload.Parser.ParseFrom(plaintext);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new PayloadDecryptionException($"A payload encrypted with key \"{keyId}\" decrypted to something that is not a Temporal payload.", e);
        }
    }
}
