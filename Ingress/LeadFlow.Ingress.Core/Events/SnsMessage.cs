using System.Text.Json;

namespace LeadFlow.Ingress.Events;

/// <summary>
/// An Amazon SNS message as SNS delivers it to an HTTP/S endpoint, to an SQS queue (raw message delivery off) or,
/// inside a Lambda event's <c>Records[].Sns</c>, to a Lambda function. Formats:
/// https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html and
/// https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html. A <c>Notification</c>'s <see cref="Message"/> is what
/// was published (for EventBridge -> SNS, the envelope as a string); a <c>SubscriptionConfirmation</c> or
/// <c>UnsubscribeConfirmation</c> is SNS asking about the subscription itself and carries no lead. Signatures are not
/// verified (README: the HTTPS intake must sit behind the intake API key).
/// </summary>
/// <param name="Type"><see cref="NotificationType"/>, <see cref="SubscriptionConfirmationType"/> or <see cref="UnsubscribeConfirmationType"/>.</param>
/// <param name="MessageId">SNS's id of the message: the same on every redelivery of it.</param>
/// <param name="TopicArn">The topic the message came from.</param>
/// <param name="Message">A notification's published text; a confirmation's human-readable note.</param>
/// <param name="Token">Confirmations only: the token <c>aws sns confirm-subscription --topic-arn &lt;arn&gt; --token &lt;token&gt;</c> takes (valid three days).</param>
public sealed record SnsMessage(string Type, string MessageId, string TopicArn, string? Message, string? Token)
{
    /// <summary>A published message.</summary>
    public const string NotificationType = "Notification";

    /// <summary>SNS asks the endpoint to confirm a new subscription (visit SubscribeURL, or confirm with the token).</summary>
    public const string SubscriptionConfirmationType = "SubscriptionConfirmation";

    /// <summary>SNS says the endpoint was unsubscribed.</summary>
    public const string UnsubscribeConfirmationType = "UnsubscribeConfirmation";

    private static readonly string[] Types = [NotificationType, SubscriptionConfirmationType, UnsubscribeConfirmationType];

    /// <summary>True for a published message; false for the subscription confirmations, which carry no lead.</summary>
    public bool IsNotification => Type == NotificationType;

    /// <summary>
    /// Reads <paramref name="root"/> as an SNS message: an object whose <c>Type</c> is one of the three SNS types and
    /// which names its <c>TopicArn</c> and <c>MessageId</c> (EventBridge envelopes and leads have none of these).
    /// </summary>
    /// <returns>Null when the value is not an SNS message.</returns>
    /// <exception cref="MalformedEnvelopeException">An SNS notification without its message as a string.</exception>
    public static SnsMessage? From(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || Text(root, "Type") is not { } type || !Types.Contains(type, StringComparer.Ordinal)
            || Text(root, "TopicArn") is not { } topicArn
            || Text(root, "MessageId") is not { } messageId)
        {
            return null;
        }

        var message = root.TryGetProperty("Message", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (type == NotificationType && message is null)
        {
            throw new MalformedEnvelopeException("Message", "must be a string: an SNS notification carries the EventBridge envelope as a string");
        }

        return new SnsMessage(type, messageId, topicArn, message, Text(root, "Token"));
    }

    /// <summary>Reads UTF-8 JSON as an SNS message; null when it is not one (or not JSON, or not valid UTF-8: the envelope reader says why).</summary>
    /// <exception cref="MalformedEnvelopeException">An SNS notification without its message as a string.</exception>
    public static SnsMessage? TryRead(ReadOnlySpan<byte> utf8)
    {
        // Cheap first look: every SNS message names its topic; an envelope or a lead never does.
        // Invalid UTF-8 inside a JSON string would only throw when the field is read.
        if (utf8.IndexOf("\"TopicArn\""u8) < 0 || !System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            return From(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The published message as UTF-8 bytes: what the bus delivered inside the notification.</summary>
    /// <exception cref="InvalidOperationException">This is a subscription confirmation, which carries no published message.</exception>
    public byte[] MessageBytes() => IsNotification
        ? System.Text.Encoding.UTF8.GetBytes(Message!)
        : throw new InvalidOperationException($"An SNS {Type} carries no published message");

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()) ? value.GetString() : null;
}
