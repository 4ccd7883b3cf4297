using LeadFlow.Ingress.Tracing;
using System.Globalization;
using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using LeadFlow.Hosting;
using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Sqs;

/// <summary>
/// Pulls EventBridge envelopes from SQS and starts their workflows; an envelope wrapped by SNS (an SNS
/// <c>Notification</c> with raw message delivery off) is unwrapped first. A message is deleted only after its start
/// succeeded (or it proved a duplicate, or it was an SNS subscription confirmation, which is no lead and is logged with
/// its topic), or after the poison queue took it. What it does with the others:
/// <list type="bullet">
/// <item>Temporal unavailable: the <see cref="TemporalGate"/> closes and every receive loop waits until Temporal answers
/// again, instead of receiving messages it cannot start; the messages caught in the batch are made visible again a long-poll wait later.
/// A Temporal outage of any length costs a message one receive, not its redelivery budget.</item>
/// <item>Malformed (not an envelope, nor an SNS notification around one): sent to the poison queue, then deleted
/// (<see cref="PoisonQueue"/>); without a poison queue, left for the redrive policy's dead-letter queue.</item>
/// <item>Anything else: left in the queue; its redrive policy moves it to the dead-letter queue after maxReceiveCount.</item>
/// </list>
/// Every loop survives every non-fatal exception (an <c>AmazonClientException</c> from the credentials chain, a reset
/// connection, a bug in one message) with logging and backoff, and says so on the health endpoint (<see cref="SqsPollerHealth"/>).
/// On shutdown it stops receiving and lets in-flight starts finish until the host's shutdown timeout, then abandons
/// them without deleting.
/// </summary>
public sealed partial class SqsLeadPoller : BackgroundService
{
    private readonly IAmazonSQS _sqs;
    private readonly LeadWorkflowStarter _starter;
    private readonly SqsIngressOptions _options;
    private readonly ILogger<SqsLeadPoller> _logger;
    private readonly CancellationTokenSource _abandon = new();
    private readonly PoisonQueue _poison;
    private long _started;
    private long _duplicates;
    private long _left;
    private long _ignored;
    private long _poisoned;

    /// <param name="health">Where the poller says how it is; null: a private one (tests that build the poller by hand).</param>
    public SqsLeadPoller(IAmazonSQS sqs, LeadWorkflowStarter starter, IOptions<SqsIngressOptions> options, ILogger<SqsLeadPoller> logger, SqsPollerHealth? health = null)
    {
        ArgumentNullException.ThrowIfNull(starter);
        ArgumentNullException.ThrowIfNull(options);
        _sqs = sqs;
        _starter = starter;
        _options = options.Value;
        _logger = logger;
        Health = health ?? new SqsPollerHealth();
        Gate = new TemporalGate(starter.Temporal, _options, Health.Temporal, logger);
        _poison = new PoisonQueue(sqs, _options, logger);
    }

    /// <summary>Messages whose workflow this poller started, found duplicate, left in the queue, deleted as no lead (SNS confirmations), or moved to the poison queue.</summary>
    public (long Started, long Duplicates, long Left, long Ignored, long Poisoned) Counts =>
        (Interlocked.Read(ref _started), Interlocked.Read(ref _duplicates), Interlocked.Read(ref _left), Interlocked.Read(ref _ignored), Interlocked.Read(ref _poisoned));

    /// <summary>Whether receiving goes on (Temporal answers) or waits.</summary>
    public TemporalGate Gate { get; }

    public SqsPollerHealth Health { get; }

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
        LogPolling(queueUrl, loops, perBatch, _poison.Enabled ? _options.PoisonQueueUrl! : "none: malformed messages go to the dead-letter queue");
        var receiving = Enumerable.Range(0, loops).Select(_ => Task.Run(() => ReceiveLoopAsync(queueUrl, perBatch, stoppingToken), CancellationToken.None));
        return Task.WhenAll([Task.Run(() => Gate.RunAsync(stoppingToken), CancellationToken.None), .. receiving]);
    }

    private async Task ReceiveLoopAsync(string queueUrl, int parallelism, CancellationToken stoppingToken)
    {
        var first = TimeSpan.FromSeconds(_options.ReceiveErrorDelaySeconds);
        var backoff = new Backoff(first, first > TimeSpan.FromMinutes(1) ? first : TimeSpan.FromMinutes(1));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // While Temporal is unavailable nothing is received: the messages keep their receive counts.
                await Gate.WaitOpenAsync(stoppingToken);
                var response = await _sqs.ReceiveMessageAsync(
                    new ReceiveMessageRequest
                    {
                        QueueUrl = queueUrl,
                        MaxNumberOfMessages = 10,
                        WaitTimeSeconds = _options.WaitTimeSeconds,
                        VisibilityTimeout = _options.VisibilityTimeoutSeconds,
                        MessageSystemAttributeNames = ["ApproximateReceiveCount"],
                    },
                    stoppingToken);
                if (Health.Sqs.Healthy($"receiving from {queueUrl}"))
                {
                    LogReceiving(queueUrl);
                }

                backoff.Reset();
                if (response.Messages is { Count: > 0 } messages)
                {
                    // Not tied to stoppingToken: a received batch is finished (or abandoned at the shutdown timeout).
                    await ProcessBatchAsync(queueUrl, messages, parallelism);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!FatalExceptions.IsFatal(e))
            {
                // AmazonServiceException (throttled, queue gone), AmazonClientException (credentials, instance metadata),
                // a reset connection, or a bug: none of it may stop the host.
                Health.Sqs.Unhealthy($"receiving from {queueUrl} fails: {e.GetType().Name}: {e.Message}", e);
                LogReceiveFailed(e, queueUrl, backoff.Next.TotalSeconds);
                await backoff.WaitAsync(stoppingToken);
            }
        }
    }

    private async Task ProcessBatchAsync(string queueUrl, List<Message> messages, int parallelism)
    {
        var done = new List<Message>();
        var release = new List<Message>();
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
                    var verdict = Gate.IsOpen ? await TryStartAsync(message, token) : Verdict.TemporalUnavailable;
                    lock (pending)
                    {
                        pending.Remove(message);
                        (verdict == Verdict.Delete ? done : verdict == Verdict.TemporalUnavailable ? release : null)?.Add(message);
                    }
                });
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            LogAbandoning(pending.Count);
        }
        finally
        {
            await extender.CancelAsync();
            await extending;
        }

        await DeleteAsync(queueUrl, done);
        await ReleaseAsync(queueUrl, release);
    }

    /// <summary>The queue's name (the last segment of its URL), as the messaging conventions name the span.</summary>
    private string QueueName => _options.QueueUrl?.TrimEnd('/').Split('/')[^1] ?? "sqs";

    private enum Verdict
    {
        /// <summary>Started, duplicate, no lead, or in the poison queue now: delete it.</summary>
        Delete,

        /// <summary>Temporal did not take it: make it visible again for when Temporal answers.</summary>
        TemporalUnavailable,

        /// <summary>Leave it; it comes back after its visibility timeout, and its redrive policy counts the receive.</summary>
        Leave,
    }

    private async Task<Verdict> TryStartAsync(Message message, CancellationToken cancellationToken)
    {
        var receiveCount = message.Attributes?.GetValueOrDefault("ApproximateReceiveCount") ?? "?";
        using var span = IngressTracing.ProcessMessage("aws_sqs", QueueName, message.MessageId);
        try
        {
            var outcome = await _starter.StartDeliveryAsync(Encoding.UTF8.GetBytes(message.Body ?? ""), cancellationToken);
            if (outcome.Start is not { } start)
            {
                Interlocked.Increment(ref _ignored);
            }
            else
            {
                Interlocked.Increment(ref start.Status == StartStatus.Started ? ref _started : ref _duplicates);
            }

            return Verdict.Delete;
        }
        catch (MalformedEnvelopeException e)
        {
            if (_poison.Enabled && await _poison.SendAsync(message, e, cancellationToken))
            {
                Interlocked.Increment(ref _poisoned);
                LeadFlow.Steps.LeadFlowMetrics.IngressDeadLettered();
                return Verdict.Delete;
            }

            LogPoisonLeft(message.MessageId, receiveCount, e.Field, e.Reason);
        }
        catch (TemporalUnavailableException e)
        {
            Gate.Close(e.Message);
            LogTemporalUnavailable(message.MessageId, receiveCount, e.Message);
            Interlocked.Increment(ref _left);
            return Verdict.TemporalUnavailable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (!FatalExceptions.IsFatal(e))
        {
            LogUnexpected(e, message.MessageId, receiveCount);
        }

        Interlocked.Increment(ref _left);
        return Verdict.Leave;
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
                    entries = pending.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle) { VisibilityTimeout = _options.VisibilityTimeoutSeconds }).ToList();
                }

                if (entries.Count > 0)
                {
                    LogExtending(entries.Count, _options.VisibilityTimeoutSeconds);
                    await _sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest(queueUrl, entries), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The batch finished: nothing left to extend.
        }
        catch (Exception e) when (!FatalExceptions.IsFatal(e))
        {
            // The messages reappear after their timeout and are started again as duplicates: harmless.
            LogExtendFailed(e);
        }
    }

    private async Task DeleteAsync(string queueUrl, List<Message> done)
    {
        if (done.Count == 0)
        {
            return;
        }

        var entries = done.Select((m, i) => new DeleteMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle)).ToList();
        try
        {
            // Deletes run even during shutdown: the starts already happened.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var response = await _sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest(queueUrl, entries), timeout.Token);
            foreach (var failed in response.Failed ?? [])
            {
                LogDeleteEntryFailed(failed.Code, failed.Message);
            }
        }
        catch (Exception e) when (!FatalExceptions.IsFatal(e))
        {
            LogDeleteFailed(e, entries.Count);
        }
    }

    /// <summary>
    /// Makes messages Temporal did not take visible again soon, so they are started as soon as it answers: after one
    /// long-poll wait plus a second, not at once, because a receive of another loop that began before the gate closed
    /// would otherwise take them again and spend one more of their receives.
    /// </summary>
    private async Task ReleaseAsync(string queueUrl, List<Message> release)
    {
        if (release.Count == 0)
        {
            return;
        }

        var entries = release.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle) { VisibilityTimeout = _options.WaitTimeSeconds + 1 }).ToList();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest(queueUrl, entries), timeout.Token);
        }
        catch (Exception e) when (!FatalExceptions.IsFatal(e))
        {
            // They come back after their visibility timeout instead.
            LogReleaseFailed(e, entries.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling {QueueUrl} with {Loops} receive loop(s), up to {PerBatch} starts each; poison queue: {PoisonQueue}")]
    private partial void LogPolling(string queueUrl, int loops, int perBatch, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Receiving from {QueueUrl}")]
    private partial void LogReceiving(string queueUrl);

    [LoggerMessage(Level = LogLevel.Error, Message = "Receiving from {QueueUrl} failed; trying again in {Delay:0.#}s")]
    private partial void LogReceiveFailed(Exception exception, string queueUrl, double delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown timeout: abandoning {Count} in-flight message(s) without deleting them")]
    private partial void LogAbandoning(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poison message {MessageId} (receive {ReceiveCount}) left for the dead-letter queue: {Field}: {Reason}")]
    private partial void LogPoisonLeft(string? messageId, string receiveCount, string field, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} (receive {ReceiveCount}) waits for Temporal: {Reason}")]
    private partial void LogTemporalUnavailable(string? messageId, string receiveCount, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} (receive {ReceiveCount}) left for redelivery after an unexpected error")]
    private partial void LogUnexpected(Exception exception, string? messageId, string receiveCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Extending visibility of {Count} slow message(s) by {Seconds}s")]
    private partial void LogExtending(int count, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extending message visibility failed")]
    private partial void LogExtendFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting a started message failed ({Code}: {Message}); it will be redelivered and found duplicate")]
    private partial void LogDeleteEntryFailed(string code, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting {Count} started message(s) failed; they will be redelivered and found duplicate")]
    private partial void LogDeleteFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Making {Count} message(s) visible again failed; they come back after their visibility timeout")]
    private partial void LogReleaseFailed(Exception exception, int count);
}
