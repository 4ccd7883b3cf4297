using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using LeadFlow.Ingress.Events;

namespace LeadFlow.Ingress.Sqs.DeadLetters;

/// <summary>
/// Puts the leads of a dead-letter queue back into the intake queue (<c>leadflow redrive-dlq</c>). The one DLQ holds
/// three formats, all read here: an intake-queue message its redrive policy moved (the envelope, or an SNS notification
/// around it), an EventBridge target failure (the event, with <c>ERROR_CODE</c> / <c>ERROR_MESSAGE</c> attributes) and a
/// Lambda async failure (the event, with <c>ErrorCode</c> / <c>ErrorMessage</c> attributes; or an on-failure destination
/// record whose <c>requestPayload</c> is the event). Each message gets a verdict; with <c>apply</c> a lead is sent to the
/// intake queue as its bare envelope and deleted from the DLQ only after that send succeeded, so nothing is lost
/// between the two. A redriven lead keeps its event id, so a lead that did start meanwhile is a duplicate (one
/// workflow). What is no lead (a malformed body, an SNS control message) stays in the DLQ for a person.
/// </summary>
public sealed class DeadLetterRedriver(IAmazonSQS sqs)
{
    /// <summary>How long a message read here stays hidden from other readers of the DLQ (dry run and apply alike).</summary>
    public static readonly TimeSpan ReadVisibility = TimeSpan.FromSeconds(60);

    /// <summary>Reads up to <paramref name="limit"/> messages of <paramref name="deadLetterQueueUrl"/> and judges (and, with <paramref name="apply"/>, redrives) each.</summary>
    /// <param name="deadLetterQueueUrl">The DLQ (the template's <c>LeadIntakeDeadLetterQueueUrl</c> output).</param>
    /// <param name="intakeQueueUrl">Where leads go back to (the poller's <c>Ingress__Sqs__QueueUrl</c>).</param>
    /// <param name="apply">False (dry run): nothing is sent or deleted, and the messages are visible again at the end.</param>
    /// <param name="limit">The most messages to read (1..10,000).</param>
    /// <exception cref="AmazonServiceException">A queue cannot be read (missing, no permission): nothing was deleted.</exception>
    public async Task<IReadOnlyList<DeadLetterVerdict>> RedriveAsync(
        string deadLetterQueueUrl, string intakeQueueUrl, bool apply, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deadLetterQueueUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(intakeQueueUrl);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        if (string.Equals(deadLetterQueueUrl, intakeQueueUrl, StringComparison.Ordinal))
        {
            throw new ArgumentException("the dead-letter queue and the intake queue must differ", nameof(intakeQueueUrl));
        }

        var verdicts = new List<DeadLetterVerdict>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var hidden = new List<Message>();
        try
        {
            while (verdicts.Count < limit)
            {
                var response = await sqs.ReceiveMessageAsync(
                    new ReceiveMessageRequest
                    {
                        QueueUrl = deadLetterQueueUrl,
                        MaxNumberOfMessages = Math.Min(10, limit - verdicts.Count),
                        WaitTimeSeconds = 1,
                        VisibilityTimeout = (int)ReadVisibility.TotalSeconds,
                        MessageAttributeNames = ["All"],
                        MessageSystemAttributeNames = ["All"],
                    },
                    cancellationToken);
                var fresh = (response.Messages ?? []).Where(m => seen.Add(m.MessageId)).ToList();
                if (fresh.Count == 0)
                {
                    break;
                }

                foreach (var message in fresh)
                {
                    var verdict = Judge(message);
                    if (verdict.Action == DeadLetterAction.Resend && apply)
                    {
                        verdict = await ResendAsync(message, verdict, deadLetterQueueUrl, intakeQueueUrl, cancellationToken);
                    }

                    if (verdict.Action != DeadLetterAction.Resent)
                    {
                        hidden.Add(message);
                    }

                    verdicts.Add(verdict);
                }
            }
        }
        finally
        {
            // What stays in the DLQ is visible again now, not a minute later.
            await ReleaseAsync(deadLetterQueueUrl, hidden);
        }

        return verdicts;
    }

    /// <summary>The verdict on one DLQ message without touching any queue: where it came from, its lead, and whether it can go back.</summary>
    public static DeadLetterVerdict Judge(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var attributes = message.MessageAttributes ?? [];
        var origin = attributes.ContainsKey("ERROR_CODE") ? "EventBridge target failure"
            : attributes.ContainsKey("ErrorCode") ? "Lambda async failure"
            : "intake queue (receives exhausted)";
        var failure = Attribute(attributes, "ERROR_CODE", "ERROR_MESSAGE") ?? Attribute(attributes, "ErrorCode", "ErrorMessage");
        var body = message.Body ?? "";
        if (LambdaDestinationPayload(body) is { } payload)
        {
            origin = "Lambda on-failure destination";
            body = payload.Payload;
            failure ??= payload.Condition;
        }

        try
        {
            return BusDelivery.Read(Encoding.UTF8.GetBytes(body)) switch
            {
                BusDelivery.Lead lead => new DeadLetterVerdict(message.MessageId, origin, lead.Event.EventId, DeadLetterAction.Resend, failure, lead.Event.EnvelopeJson),
                BusDelivery.SnsControl control => new DeadLetterVerdict(message.MessageId, origin, null, DeadLetterAction.Keep, $"SNS {control.Message.Type}, no lead", null),
                _ => throw new InvalidOperationException("unknown delivery"),
            };
        }
        catch (MalformedEnvelopeException e)
        {
            return new DeadLetterVerdict(message.MessageId, origin, null, DeadLetterAction.Keep, $"no lead: {e.Field}: {e.Reason}", null);
        }
    }

    private async Task<DeadLetterVerdict> ResendAsync(Message message, DeadLetterVerdict verdict, string deadLetterQueueUrl, string intakeQueueUrl, CancellationToken cancellationToken)
    {
        try
        {
            await sqs.SendMessageAsync(new SendMessageRequest(intakeQueueUrl, verdict.Envelope), cancellationToken);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException or TaskCanceledException)
        {
            return verdict with { Action = DeadLetterAction.SendFailed, Reason = $"not re-sent ({e.GetType().Name}: {e.Message}); kept in the dead-letter queue" };
        }

        try
        {
            // Only now: the intake queue has it.
            await sqs.DeleteMessageAsync(new DeleteMessageRequest(deadLetterQueueUrl, message.ReceiptHandle), CancellationToken.None);
            return verdict with { Action = DeadLetterAction.Resent };
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException or TaskCanceledException)
        {
            // Re-sent but still in the DLQ: a later redrive sends it again, and its event id makes that a duplicate.
            return verdict with { Action = DeadLetterAction.Resent, Reason = $"re-sent, but deleting it from the dead-letter queue failed ({e.Message}); a second redrive is a harmless duplicate" };
        }
    }

    private async Task ReleaseAsync(string queueUrl, List<Message> messages)
    {
        foreach (var chunk in messages.Chunk(10))
        {
            try
            {
                var entries = chunk.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ReceiptHandle) { VisibilityTimeout = 0 }).ToList();
                await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest(queueUrl, entries), CancellationToken.None);
            }
            catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException or TaskCanceledException)
            {
                // They become visible after ReadVisibility anyway.
            }
        }
    }

    private static string? Attribute(Dictionary<string, MessageAttributeValue> attributes, string code, string text) =>
        attributes.TryGetValue(code, out var c)
            ? c.StringValue + (attributes.TryGetValue(text, out var t) && !string.IsNullOrEmpty(t.StringValue) ? ": " + t.StringValue : "")
            : null;

    /// <summary>A Lambda on-failure destination record (<c>requestContext</c> + <c>requestPayload</c>): the original event, and why it failed.</summary>
    private static (string Payload, string? Condition)? LambdaDestinationPayload(string body)
    {
        if (!body.Contains("\"requestPayload\"", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("requestPayload", out var payload) || !root.TryGetProperty("requestContext", out var context))
            {
                return null;
            }

            var condition = context.TryGetProperty("condition", out var c) ? c.GetString() : null;
            return (payload.GetRawText(), condition);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What <see cref="DeadLetterRedriver"/> does (or, in a dry run, would do) with one message.</summary>
public enum DeadLetterAction
{
    /// <summary>A lead: it can go back to the intake queue (dry run: it would).</summary>
    Resend,

    /// <summary>Sent to the intake queue, then deleted from the dead-letter queue.</summary>
    Resent,

    /// <summary>The send to the intake queue failed: it stays in the dead-letter queue.</summary>
    SendFailed,

    /// <summary>No lead (malformed, an SNS control message): it stays for a person.</summary>
    Keep,
}

/// <summary>One dead-lettered message's verdict.</summary>
/// <param name="MessageId">Its SQS message id in the dead-letter queue.</param>
/// <param name="Origin">Which of the three formats it is (intake queue, EventBridge target failure, Lambda async failure).</param>
/// <param name="EventId">The lead's event id (workflow <c>lead-&lt;id&gt;</c>); null when it is no lead.</param>
/// <param name="Reason">Why it was dead-lettered (the failure attributes), or why it is kept; never personal data.</param>
/// <param name="Envelope">The EventBridge envelope to re-send; null when it is no lead.</param>
public sealed record DeadLetterVerdict(string MessageId, string Origin, string? EventId, DeadLetterAction Action, string? Reason, string? Envelope);
