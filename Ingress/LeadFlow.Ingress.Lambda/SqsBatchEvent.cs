using System.Globalization;
using System.Text.Json;

namespace LeadFlow.Ingress.Lambda;

/// <summary>One message of an SQS batch as Lambda's event source mapping delivers it.</summary>
/// <param name="MessageId">What a batch item failure names (<c>itemIdentifier</c>).</param>
/// <param name="ReceiptHandle">For ChangeMessageVisibility.</param>
/// <param name="Body">The message body: the EventBridge event (the rule's target input), or an SNS notification around one.</param>
/// <param name="ReceiveCount"><c>attributes.ApproximateReceiveCount</c>; 1 when missing.</param>
/// <param name="EventSourceArn">The queue's ARN.</param>
/// <param name="AwsRegion">The queue's region.</param>
public sealed record SqsRecord(string MessageId, string ReceiptHandle, string Body, int ReceiveCount, string? EventSourceArn, string? AwsRegion)
{
    /// <summary>
    /// The W3C trace context the sender put in the message attribute <c>traceparent</c> (an OpenTelemetry-instrumented
    /// producer does); null when absent.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> message attribute that goes with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; init; }

    /// <summary>
    /// The X-Ray trace header SQS keeps for a message sent with one (<c>attributes.AWSTraceHeader</c>: EventBridge and
    /// X-Ray-traced senders set it); null when absent.
    /// </summary>
    public string? AwsTraceHeader { get; init; }
}

/// <summary>
/// The event Lambda sends a function an SQS queue triggers: <c>{"Records":[{"messageId","receiptHandle","body",
/// "attributes":{"ApproximateReceiveCount","AWSTraceHeader"},"messageAttributes":{"traceparent":{"stringValue"}},
/// "eventSource":"aws:sqs","eventSourceARN","awsRegion"}]}</c>
/// (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
/// </summary>
public static class SqsBatchEvent
{
    /// <summary>The batch's records, or null when the payload is not an SQS event (a bus event, an SNS event).</summary>
    public static IReadOnlyList<SqsRecord>? TryRead(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOf("\"aws:sqs\""u8) < 0)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Records", out var records)
                || records.ValueKind != JsonValueKind.Array
                || records.GetArrayLength() == 0
                || records.EnumerateArray().Any(r => Text(r, "eventSource") != "aws:sqs"))
            {
                return null;
            }

            return records.EnumerateArray().Select(r => new SqsRecord(
                Text(r, "messageId") ?? "",
                Text(r, "receiptHandle") ?? "",
                Text(r, "body") ?? "",
                r.TryGetProperty("attributes", out var attributes) && Text(attributes, "ApproximateReceiveCount") is { } count
                    && int.TryParse(count, CultureInfo.InvariantCulture, out var n) ? n : 1,
                Text(r, "eventSourceARN"),
                Text(r, "awsRegion"))
            {
                TraceParent = MessageAttribute(r, "traceparent"),
                TraceState = MessageAttribute(r, "tracestate"),
                AwsTraceHeader = r.TryGetProperty("attributes", out var system) ? Text(system, "AWSTraceHeader") : null,
            }).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that cannot be decoded (invalid UTF-8, a lone surrogate escape): SQS never sends
            // either, so it is no SQS event; the single-delivery path refuses it as malformed.
            return null;
        }
    }

    private static string? MessageAttribute(JsonElement record, string name) =>
        record.TryGetProperty("messageAttributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object
            && attributes.TryGetProperty(name, out var attribute) ? Text(attribute, "stringValue") : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
