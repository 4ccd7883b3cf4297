using LeadFlow.Hosting;
using LeadFlow.Ingress.Starting;
using Microsoft.Extensions.Logging;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace LeadFlow.Ingress.Sqs;

/// <summary>
/// Whether the SQS poller may receive: open while Temporal answers, closed from the first start that found Temporal
/// unavailable until a probe (DescribeNamespace of the poller's namespace, so a wrong namespace counts as unusable too)
/// answers again, asked from 1 s, doubling up to <c>Ingress__Sqs__TemporalProbeMaxDelaySeconds</c>. While it is closed
/// the receive loops wait instead of receiving, so an outage of any length costs a message at most the one receive it
/// was caught in, never its whole redelivery budget (maxReceiveCount receives, then the dead-letter queue). Starts
/// closed: the first probe runs before the first receive.
/// </summary>
public sealed partial class TemporalGate(TemporalClientSource temporal, SqsIngressOptions options, ComponentHealth health, ILogger logger)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _opened = NewSignal();
    private TaskCompletionSource _closed = CompletedSignal();
    private DateTimeOffset _closedAt = DateTimeOffset.UtcNow;

    /// <summary>True while receives may go on.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _opened.Task.IsCompleted;
            }
        }
    }

    /// <summary>Completes when the gate is open (at once if it is); cancelled with <paramref name="cancellationToken"/>.</summary>
    public Task WaitOpenAsync(CancellationToken cancellationToken)
    {
        Task opened;
        lock (_lock)
        {
            opened = _opened.Task;
        }

        return opened.WaitAsync(cancellationToken);
    }

    /// <summary>Temporal did not take a start: stop receiving until a probe says it answers again. Idempotent while closed.</summary>
    public void Close(string reason)
    {
        lock (_lock)
        {
            if (!_opened.Task.IsCompleted)
            {
                return;
            }

            _opened = NewSignal();
            _closedAt = DateTimeOffset.UtcNow;
            _closed.TrySetResult();
        }

        health.Unhealthy($"Temporal at {temporal.Options.Address} unavailable ({reason}); receiving paused, the messages wait in the queue");
        LogClosed(temporal.Options.Address, reason);
    }

    /// <summary>Probes Temporal whenever the gate is closed, and opens it when Temporal answers; runs until <paramref name="stoppingToken"/>.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(options.TemporalProbeMaxDelaySeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            Task closed;
            lock (_lock)
            {
                closed = _closed.Task;
            }

            try
            {
                await closed.WaitAsync(stoppingToken);
                var problem = await ProbeAsync(stoppingToken);
                if (problem is null)
                {
                    Open();
                    backoff.Reset();
                    continue;
                }

                health.Unhealthy($"Temporal at {temporal.Options.Address} unavailable since {_closedAt:u} ({problem}); receiving paused, the messages wait in the queue; asking again in {backoff.Next.TotalSeconds:0.#} s");
                LogStillClosed(temporal.Options.Address, problem, backoff.Next.TotalSeconds);
                await backoff.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!FatalExceptions.IsFatal(e))
            {
                // Nothing in the probe itself should get here; whatever did, the gate stays closed and is asked again.
                LogProbeFailed(e, backoff.Next.TotalSeconds);
                await backoff.WaitAsync(stoppingToken);
            }
        }
    }

    /// <returns>Null when Temporal answers; otherwise why not.</returns>
    private async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var client = await temporal.GetAsync(cancellationToken);
            await client.WorkflowService.DescribeNamespaceAsync(
                new DescribeNamespaceRequest { Namespace = client.Options.Namespace },
                new RpcOptions { Retry = false, Timeout = TimeSpan.FromSeconds(temporal.Options.RpcTimeoutSeconds), CancellationToken = cancellationToken });
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (!FatalExceptions.IsFatal(e))
        {
            return e.Message;
        }
    }

    private void Open()
    {
        TimeSpan down;
        lock (_lock)
        {
            _closed = NewSignal();
            _opened.TrySetResult();
            down = DateTimeOffset.UtcNow - _closedAt;
        }

        health.Healthy($"Temporal at {temporal.Options.Address} answers; receiving");
        LogOpened(temporal.Options.Address, down.TotalSeconds);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource CompletedSignal()
    {
        var signal = NewSignal();
        signal.SetResult();
        return signal;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Temporal at {Address} unavailable ({Reason}): receiving paused until it answers; the messages wait in the queue")]
    private partial void LogClosed(string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Temporal at {Address} still unavailable ({Reason}); receiving stays paused, asking again in {DelaySeconds:0.#} s. Check Temporal__Address and Temporal__Namespace.")]
    private partial void LogStillClosed(string address, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Temporal at {Address} answers: receiving (paused {PausedSeconds:0.#} s)")]
    private partial void LogOpened(string address, double pausedSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Probing Temporal failed unexpectedly; asking again in {DelaySeconds:0.#} s")]
    private partial void LogProbeFailed(Exception exception, double delaySeconds);
}
