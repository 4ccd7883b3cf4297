using Temporalio.Converters;

namespace LeadFlow.Temporal.Encryption;

/// <summary>
/// The data converter of every Temporal client and worker of the product (set by <see cref="TemporalConnectOptionsFactory"/>;
/// a worker takes its client's): the SDK's JSON payload converter, the <see cref="AesGcmPayloadCodec"/>, and the SDK's
/// failure converter with <c>EncodeCommonAttributes</c>, so a failure's message and stack trace travel as an encrypted
/// payload too (a message may quote a field); key errors stay readable (<see cref="LeadFlowFailureConverter"/>). Without keys: the SDK's default converter, nothing encrypted.
/// </summary>
public static class LeadFlowDataConverter
{
    /// <summary>The converter for <paramref name="keys"/>; <see cref="DataConverter.Default"/> when null.</summary>
    public static DataConverter Create(EncryptionKeyRing? keys) =>
        keys is null
            ? DataConverter.Default
            : DataConverter.Default with
            {
                PayloadCodec = new AesGcmPayloadCodec(keys),
                FailureConverter = new LeadFlowFailureConverter(),
            };
}
