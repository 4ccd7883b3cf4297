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
    private long _lastPollTicks;
    private int _activePollers;

    /// <summary>Poller identity -> when it last began or ended a poll (UTC), as the matching service's poller history keeps it.</summary>
    private readonly ConcurrentDictionary<string, DateTime> _pollers = new(StringComparer.Ordinal);

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
    /// <param name="identity">The poller's identity, remembered (when not empty) for <see cref="RecentPollers"/>.</param>
    public async Task<TTask?> TakeAsync(CancellationToken cancellationToken, string? identity = null)
    {
        Interlocked.Increment(ref _activePollers);
        NotePoller(identity);
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
            Interlocked.Exchange(ref _lastPollTicks, DateTime.UtcNow.Ticks);
            Interlocked.Decrement(ref _activePollers);
            NotePoller(identity);
        }
    }

    /// <summary>
    /// The pollers seen within <paramref name="ttl"/>, with when each last began or ended a poll. As the real matching
    /// service's poller history (service/matching/poller_history.go): keyed by identity, touched when a long poll begins
    /// and when it ends, entries expire after a TTL (5 minutes there), so a worker that stopped is listed until then.
    /// </summary>
    public IReadOnlyList<(string Identity, DateTime LastAccessTime)> RecentPollers(TimeSpan ttl)
    {
        var since = DateTime.UtcNow - ttl;
        var recent = new List<(string, DateTime)>();
        foreach (var (identity, lastAccess) in _pollers)
        {
            if (lastAccess > since)
            {
                recent.Add((identity, lastAccess));
            }
            else
            {
                _pollers.TryRemove(new KeyValuePair<string, DateTime>(identity, lastAccess));
            }
        }

        return recent;
    }

    private void NotePoller(string? identity)
    {
        if (!string.IsNullOrEmpty(identity))
        {
            _pollers[identity] = DateTime.UtcNow;
        }
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
