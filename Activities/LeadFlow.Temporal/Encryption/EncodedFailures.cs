using Temporalio.Api.Failure.V1;
using Temporalio.Converters;

namespace LeadFlow.Temporal.Encryption;

/// <summary>
/// Reads failures as a person should see them when they come from the server raw (a history, a pending activity's last
/// failure): with <see cref="LeadFlowDataConverter"/> their message is <c>Encoded failure</c> and the real message and
/// stack trace sit encrypted in <c>encoded_attributes</c>. Used by the status reader, which works on raw protos.
/// </summary>
public static class EncodedFailures
{
    /// <summary>
    /// Decodes <paramref name="failure"/> and its causes in place: payloads through the converter's codec, and the
    /// encoded message and stack trace back into <c>message</c> and <c>stack_trace</c>. A failure this process cannot
    /// decrypt keeps its payloads, and its message says why (naming the key id and the setting), so a reader never fails on it.
    /// </summary>
    public static async Task DecodeInPlaceAsync(DataConverter converter, Failure? failure)
    {
        ArgumentNullException.ThrowIfNull(converter);
        if (failure is null)
        {
            return;
        }

        if (converter.PayloadCodec is { } codec)
        {
            try
            {
                await codec.DecodeFailureAsync(failure).ConfigureAwait(false);
            }
            catch (Exception e) when (e is EncryptionKeyNotFoundException or PayloadDecryptionException)
            {
                failure.Message = $"(failure message encrypted, not readable here: {e.Message})";
                return;
            }
        }

        for (var f = failure; f is not null; f = f.Cause)
        {
            if (f.EncodedAttributes is { } attributes && !AesGcmPayloadCodec.IsEncrypted(attributes))
            {
                try
                {
                    var values = converter.PayloadConverter.ToValue<Dictionary<string, string>>(attributes);
                    f.Message = values.GetValueOrDefault("message") ?? f.Message;
                    f.StackTrace = values.GetValueOrDefault("stack_trace") ?? f.StackTrace;
                    f.EncodedAttributes = null;
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
                {
                    // Not the SDK's {message, stack_trace}: leave the failure as the server gave it.
                }
            }
        }
    }
}
