using System.Diagnostics;
using Grpc.Core;
using LeadFlow.EmbeddedTemporal.TaskQueues;

namespace LeadFlow.EmbeddedTemporal.Grpc;

/// <summary>
/// The cancellation of a held poll: the server's long-poll timeout, the caller's deadline (with a margin, so
/// the answer is an empty response rather than DEADLINE_EXCEEDED), the caller going away, or server stop.
/// </summary>
internal sealed class LongPoll : IDisposable
{
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _source;

    private LongPoll(CancellationTokenSource source) => _source = source;

    public CancellationToken Token => _source.Token;

    public static LongPoll Start(ServerState state, ServerCallContext context)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, state.Stopping);
        var timeout = state.Options.LongPollTimeout;
        if (context.Deadline != DateTime.MaxValue)
        {
            var remaining = context.Deadline.ToUniversalTime() - DateTime.UtcNow - DeadlineMargin;
            timeout = remaining < timeout ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : timeout;
        }

        source.CancelAfter(timeout);
        return new LongPoll(source);
    }

    /// <summary>The next task of <paramref name="queue"/>, or default when the poll ends first. The wait is timed apart from handler work.</summary>
    /// <param name="identity">The poller's identity, for the queue's poller history (DescribeTaskQueue).</param>
    public async Task<TTask?> TakeAsync<TTask>(TaskQueue<TTask> queue, ServerCallContext context, string? identity = null)
    {
        var waitStarted = Stopwatch.GetTimestamp();
        var item = await queue.TakeAsync(Token, identity).ConfigureAwait(false);
        RpcCallTiming.Of(context)?.AddWaiting(waitStarted);
        return item;
    }

    public void Dispose() => _source.Dispose();
}
