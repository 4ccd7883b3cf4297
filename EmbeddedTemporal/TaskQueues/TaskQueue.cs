using System.Collections.Concurrent;
using System.Threading.Channels;

namespace LeadFlow.EmbeddedTemporal.TaskQueues;

/// <summary>
/// One task queue (workflow or activity, normal or sticky). Pollers wait on a channel, so a task is handed
/// to a waiting poller at once and a cancelled poll never swallows a task.
/// </summary>
internal sealed class TaskQueue<TTask>(string name)
{
    private readonly Channel<TTask> _tasks = Channel.CreateUnbounded<TTask>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly ConcurrentDictionary<string, DateTime> _pollers = new(StringComparer.Ordinal);
    private long _lastPollTicks;
    private int _activePollers;

    public string Name { get; } = name;

    /// <summary>Set by ShutdownWorker on a sticky queue: its worker is gone.</summary>
    public bool IsShutDown { get; private set; }

    /// <summary>
    /// Whether a worker polled recently: the real matching service refuses to add a task to a sticky queue
    /// nobody polled within the sticky-poller-unavailable window, so history falls back to the normal queue.
    /// </summary>
    public bool HasRecentPoller(TimeSpan window) =>
        !IsShutDown && (Volatile.Read(ref _activePollers) > 0 || DateTime.UtcNow.Ticks - Interlocked.Read(ref _lastPollTicks) < window.Ticks);

    public void Add(TTask task) => _tasks.Writer.TryWrite(task);

    /// <summary>Waits for a task until the token fires; returns default when it did.</summary>
    public async Task<TTask?> TakeAsync(string identity, CancellationToken cancellationToken)
    {
        _pollers[identity] = DateTime.UtcNow;
        Interlocked.Increment(ref _activePollers);
        try
        {
            return await _tasks.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return default;
        }
        finally
        {
            _pollers[identity] = DateTime.UtcNow;
            Interlocked.Exchange(ref _lastPollTicks, DateTime.UtcNow.Ticks);
            Interlocked.Decrement(ref _activePollers);
        }
    }

    /// <summary>
    /// Workers that polled within <paramref name="window"/> and when they last did (DescribeTaskQueue's pollers;
    /// the matching service forgets a poller after 5 minutes, matching.PollerHistoryTTL). Older entries are dropped.
    /// </summary>
    public IReadOnlyList<(string Identity, DateTime LastAccess)> RecentPollers(TimeSpan window)
    {
        var since = DateTime.UtcNow - window;
        foreach (var stale in _pollers.Where(p => p.Value < since).ToList())
        {
            _pollers.TryRemove(stale);
        }

        return _pollers.Select(p => (p.Key, p.Value)).OrderByDescending(p => p.Value).ToList();
    }

    /// <summary>Marks the queue dead and hands back what was queued so it can be redirected.</summary>
    public List<TTask> ShutDown()
    {
        IsShutDown = true;
        var drained = new List<TTask>();
        while (_tasks.Reader.TryRead(out var task))
        {
            drained.Add(task);
        }

        return drained;
    }
}
