using Temporalio.Api.Failure.V1;
using Temporalio.Converters;

namespace LeadFlow.Temporal.Encryption;

/// <summary>
/// The failure converter of <see cref="LeadFlowDataConverter"/>: the SDK's converter with <c>EncodeCommonAttributes</c>
/// (message and stack trace moved into <c>encoded_attributes</c>, which the codec encrypts), except for the key errors
/// this product raises itself (<see cref="EncryptionKeyNotFoundException"/>, <see cref="PayloadDecryptionException"/>):
/// their messages hold only key ids and setting names, never a field, and they must stay readable in the Web UI and
/// <c>temporal workflow show</c> without a codec, since the reader may lack the very key they name.
/// </summary>
public sealed class LeadFlowFailureConverter : IFailureConverter
{
    private readonly DefaultFailureConverter encoded = new DefaultFailureConverter.WithEncodedCommonAttributes();
    private readonly DefaultFailureConverter plain = new();

    /// <inheritdoc />
    public Failure ToFailure(Exception exception, IPayloadConverter payloadConverter) =>
        exception is EncryptionKeyNotFoundException or PayloadDecryptionException
            ? plain.ToFailure(exception, payloadConverter)
            : encoded.ToFailure(exception, payloadConverter);

    /// <inheritdoc />
    public Exception ToException(Failure failure, IPayloadConverter payloadConverter) => encoded.ToException(failure, payloadConverter);
}
