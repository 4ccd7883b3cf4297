using System.Diagnostics;
using System.Globalization;
using System.Text;
using LeadFlow.Aws;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Tracing;
using LeadFlow.Steps;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Ingress.Lambda;

/// <summary>
/// Starts the leads of one SQS batch (the intake queue's event source mapping, with <c>ReportBatchItemFailures</c>) and
/// answers which messages stay in the queue: <c>{"batchItemFailures":[{"itemIdentifier":"&lt;messageId&gt;"}]}</c>.
/// <list type="bullet">
/// <item>Started, duplicate or no lead (an SNS confirmation): not listed, so Lambda deletes it.</item>
/// <item>Orchestrator unavailable: listed, and made invisible for a backoff that doubles per receive
/// (<see cref="QueueBatchOptions.VisibilityAfter"/>), so an outage spends few receives; the rest of the batch is not tried
/// (the orchestrator is just as unavailable for it) and waits the same way. The queue's maxReceiveCount and these waits
/// give the outage a lead survives (<see cref="QueueBatchOptions.OutageBudget"/>).</item>
/// <item>Malformed (never a lead): sent to the poison queue with the reason in its attributes, then not listed; listed
/// (and so left to the dead-letter queue) when there is no poison queue or the send failed.</item>
/// <item>Anything else unexpected: listed; it comes back after the queue's visibility timeout.</item>
/// </list>
/// With telemetry on, each message gets a <c>process &lt;queue&gt;</c> span, the parent of its workflow start: a child of
/// the trace the message carries (its <c>traceparent</c> attribute, else its sampled <c>AWSTraceHeader</c>) linked to the
/// invocation's span, or else a child of the invocation's span.
/// </summary>
public sealed partial class SqsBatchHandler(ILeadStarter starter, ISqsClient? sqs, QueueBatchOptions options, ILogger logger)
{
    /// <returns>The message ids to report as batch item failures, in the batch's order.</returns>
    public async Task<IReadOnlyList<string>> HandleAsync(IReadOnlyList<SqsRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var failures = new List<string>();
        string? unavailable = null;
        foreach (var record in records)
        {
            if (unavailable is not null)
            {
                await WaitForOrchestratorAsync(record, unavailable, cancellationToken);
                failures.Add(record.MessageId);
                continue;
            }

            using var span = StartProcessSpan(record);
            try
            {
                await starter.StartAsync(BusDelivery.Read(Encoding.UTF8.GetBytes(record.Body)), cancellationToken);
            }
            catch (MalformedEnvelopeException e)
            {
                SpanFailure.Record(span, nameof(MalformedEnvelopeException));
                if (!await MoveToPoisonQueueAsync(record, e, cancellationToken))
                {
                    failures.Add(record.MessageId);
                }
            }
            catch (Exception e) when (e is TemporalUnavailableException or OrchestratorUnavailableException)
            {
                SpanFailure.Record(span, e.GetType().Name);
                unavailable = e.Message;
                await WaitForOrchestratorAsync(record, unavailable, cancellationToken);
                failures.Add(record.MessageId);
            }
            catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
            {
                SpanFailure.Record(span, e.GetType().Name);
                LogUnexpected(e, record.MessageId, record.ReceiveCount);
                failures.Add(record.MessageId);
            }
        }

        return failures;
    }

    /// <summary>The message's own trace context: W3C <c>traceparent</c> first, else X-Ray's header when X-Ray sampled it.</summary>
    internal static ActivityContext TraceContextOf(SqsRecord record)
    {
        if (record.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, record.TraceState, isRemote: true, out var w3c))
        {
            return w3c;
        }

        return XRayTraceHeader.TryParse(record.AwsTraceHeader, out var xray) && xray.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? xray : default;
    }

    private static Activity? StartProcessSpan(SqsRecord record)
    {
        // Telemetry off: no span, and the message's attributes are not even parsed.
        if (!IngressTracing.Listening)
        {
            return null;
        }

        var queue = record.EventSourceArn?.Split(':') is { Length: 6 } arn ? arn[5] : "sqs";
        var parent = TraceContextOf(record);
        return parent == default
            ? IngressTracing.ProcessMessage("aws_sqs", queue, record.MessageId)
            : IngressTracing.ProcessMessage("aws_sqs", queue, record.MessageId, parent, Activity.Current is { } invocation ? [new ActivityLink(invocation.Context)] : null);
    }

    private async Task WaitForOrchestratorAsync(SqsRecord record, string reason, CancellationToken cancellationToken)
    {
        var seconds = options.VisibilityAfter(record.ReceiveCount);
        if (sqs is null || QueueUrl(record) is not { } queueUrl)
        {
            LogNoBackoff(record.MessageId, record.ReceiveCount, reason);
            return;
        }

        try
        {
            await sqs.ChangeMessageVisibilityAsync(queueUrl, record.ReceiptHandle, seconds, cancellationToken);
            LogWaiting(record.MessageId, record.ReceiveCount, seconds, reason);
        }
        catch (AwsRequestException e)
        {
            // It comes back after the queue's visibility timeout instead, one receive spent sooner.
            LogBackoffFailed(record.MessageId, e.ErrorCode, e.Reason);
        }
    }

    private async Task<bool> MoveToPoisonQueueAsync(SqsRecord record, MalformedEnvelopeException reason, CancellationToken cancellationToken)
    {
        if (sqs is null || string.IsNullOrWhiteSpace(options.PoisonQueueUrl))
        {
            LogPoisonLeft(record.MessageId, record.ReceiveCount, reason.Field, reason.Reason);
            return false;
        }

        try
        {
            await sqs.SendMessageAsync(
                options.PoisonQueueUrl,
                record.Body,
                new Dictionary<string, string>
                {
                    [PoisonAttributes.Field] = reason.Field,
                    [PoisonAttributes.Reason] = reason.Reason.Length <= PoisonAttributes.MaxReasonLength ? reason.Reason : reason.Reason[..PoisonAttributes.MaxReasonLength],
                    [PoisonAttributes.SourceQueue] = QueueUrl(record) ?? record.EventSourceArn ?? "",
                    [PoisonAttributes.SourceMessageId] = record.MessageId,
                    [PoisonAttributes.ReceiveCount] = record.ReceiveCount.ToString(CultureInfo.InvariantCulture),
                },
                cancellationToken);
            LogPoisonMoved(record.MessageId, record.ReceiveCount, reason.Field, reason.Reason);
            LeadFlowMetrics.IngressDeadLettered();
            return true;
        }
        catch (AwsRequestException e)
        {
            LogPoisonSendFailed(record.MessageId, e.ErrorCode, e.Reason);
            return false;
        }
    }

    private static string? QueueUrl(SqsRecord record) => SqsHttpClient.QueueUrlFromArn(record.EventSourceArn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} (receive {ReceiveCount}) waits {Seconds}s for the orchestrator: {Reason}")]
    private partial void LogWaiting(string messageId, int receiveCount, int seconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} (receive {ReceiveCount}) is left for the queue's visibility timeout (no queue to change it in): {Reason}")]
    private partial void LogNoBackoff(string messageId, int receiveCount, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not make message {MessageId} wait ({Code}: {Reason}); it comes back after the queue's visibility timeout")]
    private partial void LogBackoffFailed(string messageId, string code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poison message {MessageId} (receive {ReceiveCount}) moved to the poison queue: {Field}: {Reason}")]
    private partial void LogPoisonMoved(string messageId, int receiveCount, string field, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poison message {MessageId} (receive {ReceiveCount}) left for the dead-letter queue (no poison queue): {Field}: {Reason}")]
    private partial void LogPoisonLeft(string messageId, int receiveCount, string field, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poison message {MessageId} could not be sent to the poison queue ({Code}: {Reason}); it stays in the intake queue")]
    private partial void LogPoisonSendFailed(string messageId, string code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} (receive {ReceiveCount}) left for redelivery after an unexpected error")]
    private partial void LogUnexpected(Exception exception, string messageId, int receiveCount);
}
