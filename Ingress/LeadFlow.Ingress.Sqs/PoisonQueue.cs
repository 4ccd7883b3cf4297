using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using LeadFlow.Hosting;
using LeadFlow.Ingress.Events;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Ingress.Sqs;

/// <summary>
/// Moves messages that can never start a lead (<see cref="MalformedEnvelopeException"/>) to their own queue,
/// <c>Ingress__Sqs__PoisonQueueUrl</c>, apart from the dead-letter queue's transient failures: the body unchanged, and
/// the reason in message attributes (<c>LeadFlowPoisonField</c>, <c>LeadFlowPoisonReason</c>, <c>LeadFlowSourceQueue</c>,
/// <c>LeadFlowSourceMessageId</c>, <c>LeadFlowReceiveCount</c>). The caller deletes the original only after
/// <see cref="SendAsync"/> returned true, so a failed send leaves it in the intake queue (its redrive policy still keeps it).
/// </summary>
public sealed partial class PoisonQueue(IAmazonSQS sqs, SqsIngressOptions options, ILogger logger)
{
    /// <summary>Message attribute naming the envelope field at fault.</summary>
    public const string FieldAttribute = PoisonAttributes.Field;

    /// <summary>Message attribute with the reason, in words (never the field's value).</summary>
    public const string ReasonAttribute = PoisonAttributes.Reason;

    public const string SourceQueueAttribute = PoisonAttributes.SourceQueue;
    public const string SourceMessageIdAttribute = PoisonAttributes.SourceMessageId;
    public const string ReceiveCountAttribute = PoisonAttributes.ReceiveCount;

    /// <summary>True when <c>Ingress__Sqs__PoisonQueueUrl</c> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(options.PoisonQueueUrl);

    /// <returns>True when the poison queue has the message (then, and only then, it may be deleted from the intake queue).</returns>
    public async Task<bool> SendAsync(Message message, MalformedEnvelopeException reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        var receiveCount = message.Attributes?.GetValueOrDefault("ApproximateReceiveCount") ?? "?";
        try
        {
            await sqs.SendMessageAsync(
                new SendMessageRequest
                {
                    QueueUrl = options.PoisonQueueUrl,
                    MessageBody = message.Body ?? "",
                    MessageAttributes = new Dictionary<string, MessageAttributeValue>
                    {
                        [FieldAttribute] = Text(reason.Field),
                        [ReasonAttribute] = Text(reason.Reason.Length <= PoisonAttributes.MaxReasonLength ? reason.Reason : reason.Reason[..PoisonAttributes.MaxReasonLength]),
                        [SourceQueueAttribute] = Text(options.QueueUrl ?? ""),
                        [SourceMessageIdAttribute] = Text(message.MessageId ?? ""),
                        [ReceiveCountAttribute] = new MessageAttributeValue { DataType = "Number", StringValue = int.TryParse(receiveCount, CultureInfo.InvariantCulture, out _) ? receiveCount : "0" },
                    },
                },
                cancellationToken);
            LogMoved(message.MessageId, receiveCount, reason.Field, reason.Reason, options.PoisonQueueUrl);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (!FatalExceptions.IsFatal(e))
        {
            LogSendFailed(e, message.MessageId, options.PoisonQueueUrl);
            return false;
        }
    }

    private static MessageAttributeValue Text(string value) =>
        new() { DataType = "String", StringValue = value.Length == 0 ? "-" : value };

    [LoggerMessage(Level = LogLevel.Error, Message = "Poison message {MessageId} (receive {ReceiveCount}) moved to the poison queue {PoisonQueueUrl}: {Field}: {Reason}")]
    private partial void LogMoved(string? messageId, string receiveCount, string field, string reason, string? poisonQueueUrl);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poison message {MessageId} could not be sent to the poison queue {PoisonQueueUrl}; it stays in the intake queue")]
    private partial void LogSendFailed(Exception exception, string? messageId, string? poisonQueueUrl);
}
