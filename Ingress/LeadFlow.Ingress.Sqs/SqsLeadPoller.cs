using System.Diagnostics;
using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Sqs;

/// <summary>
/// Pulls EventBridge envelopes from SQS and starts their workflows; an envelope wrapped by SNS (an SNS
/// <c>Notification</c> with raw message delivery off) is unwrapped first. A message is deleted only
/// after its start succeeded (or it proved a duplicate, or it was an SNS subscription confirmation,
/// which is no lead and is logged with its topic); anything else stays in the queue and
/// its redrive policy moves it to the dead-letter queue after maxReceiveCount: nothing is
/// deleted unseen. On shutdown it stops receiving and lets in-flight starts finish until the
/// host's shutdown timeout, then abandons them without deleting.
/// </summary>
public sealed class SqsLeadPoller(IAmazonSQS sqs, LeadWorkflowStarter starter, IOptions<SqsIngressOptions> options, ILogger<SqsLeadPoller> logger)
    : BackgroundService
{
    private readonly SqsIngressOptions _options = options.Value;
    private readonly CancellationTokenSource _abandon = new();
    private long _started;
    private long _duplicates;
    private long _left;
    private long _ignored;

    /// <summary>Messages whose workflow this poller started, found duplicate, left in the queue, or deleted as no lead (SNS confirmations).</summary>
    public (long Started, long Duplicates, long Left, long Ignored) Counts =>
        (Interlocked.Read(ref _started), Interlocked.Read(ref _duplicates), Interlocked.Read(ref _left), Interlocked.Read(ref _ignored));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host's shutdown timeout ends the grace period for in-flight starts.
        await using var abandonOnTimeout = cancellationToken.Register(_abandon.Cancel);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queueUrl = _options.QueueUrl ?? throw new InvalidOperationException("Ingress:Sqs:QueueUrl is not set");
        var loops = (_options.MaxConcurrency + 9) / 10;
        var perBatch = Math.Min(10, _options.MaxConcurrency);
        logger.LogInformation("Polling {QueueUrl} with {Loops} receive loop(s), up to {PerBatch} starts each", queueUrl, loops, perBatch);
        return Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(() => ReceiveLoopAsync(queueUrl, perBatch, stoppingToken), CancellationToken.None)));
    }

    private async Task ReceiveLoopAsync(string queueUrl, int parallelism, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            List<Message> messages;
            try
            {
                var response = await sqs.ReceiveMessageAsync(
                    new ReceiveMessageRequest
                    {
                        QueueUrl = queueUrl,
                        MaxNumberOfMessages = 10,
                        WaitTimeSeconds = _options.WaitTimeSeconds,
                        VisibilityTimeout = _options.VisibilityTimeoutSeconds,
                        MessageSystemAttributeNames = ["ApproximateReceiveCount"],
                    },
                    stoppingToken);
                messages = response.Messages ?? [];
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is AmazonSQSException or HttpRequestException or IOException or TaskCanceledException)
            {
                logger.LogError(e, "Receiving from {QueueUrl} failed; trying again in {Delay}s", queueUrl, _options.ReceiveErrorDelaySeconds);
                await DelayAsync(TimeSpan.FromSeconds(_options.ReceiveErrorDelaySeconds), stoppingToken);
                continue;
            }

            if (messages.Count > 0)
            {
                // Not tied to stoppingToken: a received batch is finished (or abandoned at the shutdown timeout).
                await ProcessBatchAsync(queueUrl, messages, parallelism);
            }
        }
    }

    private async Task ProcessBatchAsync(string queueUrl, List<Message> messages, int parallelism)
    {
        var done = new List<Message>();
        var pending = new HashSet<Message>(messages);
        using var extender = new CancellationTokenSource();
        var extending = ExtendVisibilityAsync(queueUrl, pending, extender.Token);
        try
        {
            await Parallel.ForEachAsync(
                messages,
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = _abandon.Token },
                async (message, token) =>
                {
                    var startedOrDuplicate = await TryStartAsync(message, token);
                    lock (pending)
                    {
                        pending.Remove(message);
                        if (startedOrDuplicate)
                        {
                            done.Add(message);
                        }
                    }
                });
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            logger.LogWarning("Shutdown timeout: abandoning {Count} in-flight message(s) without deleting them", pending.Count);
        }
        finally
        {
            await extender.CancelAsync();
            await extending;
        }

        await DeleteAsync(queueUrl, done);
    }

    /// <returns>True when the message may be deleted.</returns>
    private async Task<bool> TryStartAsync(Message message, CancellationToken cancellationToken)
    {
        var receiveCount = message.Attributes?.GetValueOrDefault("ApproximateReceiveCount") ?? "?";
        try
        {
            var outcome = await starter.StartDeliveryAsync(Encoding.UTF8.GetBytes(message.Body ?? ""), cancellationToken);
            if (outcome.Start is not { } start)
            {
                Interlocked.Increment(ref _ignored);
            }
            else
            {
                Interlocked.Increment(ref start.Status == StartStatus.Started ? ref _started : ref _duplicates);
            }

            return true;
        }
        catch (MalformedEnvelopeException e)
        {
            logger.LogError(
                "Poison message {MessageId} (receive {ReceiveCount}) left for the dead-letter queue: {Field}: {Reason}",
                message.MessageId, receiveCount, e.Field, e.Reason);
        }
        catch (TemporalUnavailableException e)
        {
            logger.LogWarning("Message {MessageId} (receive {ReceiveCount}) left for redelivery: {Reason}", message.MessageId, receiveCount, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Message {MessageId} (receive {ReceiveCount}) left for redelivery after an unexpected error", message.MessageId, receiveCount);
        }

        Interlocked.Increment(ref _left);
        return false;
    }

    private async Task ExtendVisibilityAsync(string queueUrl, HashSet<Message> pending, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, _options.VisibilityTimeoutSeconds / 2.0));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                List<ChangeMessageVisibilityBatchRequestEntry> entries;
                lock (pending)
                {
                    entries = pending.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ReceiptHandle) { VisibilityTimeout = _options.VisibilityTimeoutSeconds }).ToList();
                }

                if (entries.Count > 0)
                {
                    logger.LogInformation("Extending visibility of {Count} slow message(s) by {Seconds}s", entries.Count, _options.VisibilityTimeoutSeconds);
                    await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest(queueUrl, entries), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The batch finished: nothing left to extend.
        }
        catch (Exception e) when (e is AmazonSQSException or HttpRequestException)
        {
            // The messages reappear after their timeout and are started again as duplicates: harmless.
            logger.LogWarning(e, "Extending message visibility failed");
        }
    }

    private async Task DeleteAsync(string queueUrl, List<Message> done)
    {
        if (done.Count == 0)
        {
            return;
        }

        var entries = done.Select((m, i) => new DeleteMessageBatchRequestEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ReceiptHandle)).ToList();
        try
        {
            // Deletes run even during shutdown: the starts already happened.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var response = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest(queueUrl, entries), timeout.Token);
            foreach (var failed in response.Failed ?? [])
            {
                logger.LogWarning("Deleting a started message failed ({Code}: {Message}); it will be redelivered and found duplicate", failed.Code, failed.Message);
            }
        }
        catch (Exception e) when (e is AmazonSQSException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning(e, "Deleting {Count} started message(s) failed; they will be redelivered and found duplicate", entries.Count);
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Debug.Assert(cancellationToken.IsCancellationRequested, "only the stopping token cancels the delay");
        }
    }
}
