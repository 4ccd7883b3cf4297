namespace LeadFlow.EmbeddedTemporal.Timers;

/// <summary>
/// Every server-side deadline (workflow timers, activity and workflow-task timeouts, retry backoffs,
/// sticky fallbacks) goes through this one priority queue and one OS timer, so thousands of pending
/// deadlines cost no threads. A callback checks on its own whether it still applies: cancelling is
/// simply "the state moved on".
/// </summary>
internal sealed class TimerScheduler : IDisposable
{
    private readonly PriorityQueue<Action, DateTime> _due = new();
    private readonly Lock _gate = new();
    private readonly Timer _timer;
    private DateTime _armedFor = DateTime.MaxValue;
    private bool _disposed;

    public TimerScheduler() => _timer = new Timer(_ => RunDue(), null, Timeout.Infinite, Timeout.Infinite);

    public void Schedule(TimeSpan delay, Action callback) => Schedule(DateTime.UtcNow + delay, callback);

    public void Schedule(DateTime dueUtc, Action callback)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _due.Enqueue(callback, dueUtc);
            if (dueUtc < _armedFor)
            {
                Arm(dueUtc);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _due.Clear();
            _timer.Dispose();
        }
    }

    private void RunDue()
    {
        while (true)
        {
            Action callback;
            lock (_gate)
            {
                _armedFor = DateTime.MaxValue;
                if (_disposed || !_due.TryPeek(out _, out var next))
                {
                    return;
                }

                if (next > DateTime.UtcNow)
                {
                    Arm(next);
                    return;
                }

                callback = _due.Dequeue();
            }

            try
            {
                callback();
            }
            catch (Exception error)
            {
                // A callback failing is a bug in this server; keep the other deadlines running but say it loudly.
                Console.Error.WriteLine($"EmbeddedTemporal: timer callback failed: {error}");
            }
        }
    }

    private void Arm(DateTime dueUtc)
    {
        _armedFor = dueUtc;
        var delay = dueUtc - DateTime.UtcNow;
        var milliseconds = delay <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(Math.Min(delay.TotalMilliseconds, int.MaxValue - 1));
        _timer.Change(milliseconds, Timeout.Infinite);
    }
}
