using System.Text.Json;

namespace LeadFlow.Ingress.Events;

/// <summary>
/// What one delivery from the bus carries, whatever the route: the EventBridge envelope as it is (EventBridge rule
/// -> Lambda or SQS), or wrapped by SNS (EventBridge -> SNS -> SQS with raw message delivery off, SNS -> Lambda,
/// SNS -> HTTPS). A notification is unwrapped and its lead keyed by the inner event's id, so a redelivery of it is a
/// duplicate; a subscription confirmation is no lead at all.
/// </summary>
public abstract record BusDelivery
{
    private BusDelivery()
    {
    }

    /// <summary>
    /// The most bytes one delivery may have: twice EventBridge's 256 KB, because SNS carries the envelope as an escaped
    /// string inside its own JSON. The envelope itself is still held to 256 KB (<see cref="EventEnvelopeReader"/>).
    /// </summary>
    public const int MaxDeliveryBytes = 2 * EventEnvelopeReader.MaxEnvelopeBytes;

    /// <summary>A lead event to start.</summary>
    /// <param name="Sns">The SNS notification it came in; null when the envelope came as it is.</param>
    public sealed record Lead(LeadEvent Event, SnsMessage? Sns) : BusDelivery;

    /// <summary>An SNS subscription confirmation (or unsubscribe confirmation): nothing to start, nothing to keep.</summary>
    public sealed record SnsControl(SnsMessage Message) : BusDelivery;

    /// <summary>Reads one delivery: an envelope, or an SNS message around one.</summary>
    /// <exception cref="MalformedEnvelopeException">Neither an envelope nor an SNS message around one; with the field at fault.</exception>
    public static BusDelivery Read(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxDeliveryBytes)
        {
            throw new MalformedEnvelopeException("envelope", $"is {utf8.Length} bytes, over the {MaxDeliveryBytes} byte limit of one delivery", tooLarge: true);
        }

        RequireUtf8(utf8);
        return SnsMessage.TryRead(utf8) is { } sns ? FromSns(sns) : new Lead(EventEnvelopeReader.Read(utf8), null);
    }

    /// <summary>The delivery inside an SNS message.</summary>
    /// <exception cref="MalformedEnvelopeException">A notification whose message is not an envelope (field <c>Message</c>, or the envelope's own field).</exception>
    public static BusDelivery FromSns(SnsMessage sns)
    {
        ArgumentNullException.ThrowIfNull(sns);
        if (!sns.IsNotification)
        {
            return new SnsControl(sns);
        }

        try
        {
            return new Lead(EventEnvelopeReader.Read(sns.MessageBytes()), sns);
        }
        catch (MalformedEnvelopeException e) when (e.Field == "envelope")
        {
            throw new MalformedEnvelopeException("Message", $"the SNS notification's message {e.Reason}", e.TooLarge);
        }
    }

    /// <summary>
    /// Reads a Lambda invocation's payload: the event SNS sends a subscribed function
    /// (<c>{"Records":[{"EventSource":"aws:sns","Sns":{...}}]}</c>, one delivery per record), or a single delivery.
    /// </summary>
    /// <exception cref="MalformedEnvelopeException">A record or the payload is not a delivery.</exception>
    public static IReadOnlyList<BusDelivery> ReadLambdaPayload(ReadOnlySpan<byte> utf8)
    {
        RequireUtf8(utf8);
        if (utf8.Length <= MaxDeliveryBytes && utf8.IndexOf("\"aws:sns\""u8) >= 0 && SnsRecords(utf8) is { } records)
        {
            return [.. records.Select(FromSns)];
        }

        return [Read(utf8)];
    }

    /// <summary>
    /// JSON strings are decoded lazily: invalid UTF-8 inside one would surface as an InvalidOperationException while the
    /// SNS fields are read (found by the property tests). Refused up front as the malformed delivery it is.
    /// </summary>
    private static void RequireUtf8(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new MalformedEnvelopeException("envelope", "is not valid UTF-8 text");
        }
    }

    private static List<SnsMessage>? SnsRecords(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Records", out var records)
                || records.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var messages = new List<SnsMessage>();
            foreach (var record in records.EnumerateArray())
            {
                var sns = record.ValueKind == JsonValueKind.Object
                    && record.TryGetProperty("EventSource", out var source) && source.ValueKind == JsonValueKind.String && source.GetString() == "aws:sns"
                    && record.TryGetProperty("Sns", out var inner)
                        ? inner
                        : default;
                messages.Add(SnsMessage.From(sns) is { } message
                    ? message
                    : throw new MalformedEnvelopeException("Records", "must all be SNS records (EventSource aws:sns, an Sns message with Type, MessageId and TopicArn)"));
            }

            return messages.Count > 0 ? messages : throw new MalformedEnvelopeException("Records", "must not be empty");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
