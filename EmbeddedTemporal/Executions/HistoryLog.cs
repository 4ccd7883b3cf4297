using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.History.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// The append-only event list of a run. Event ids are 1-based and dense, task ids increase across the
/// whole server, as the real history service assigns them. Callers hold the run's lock.
/// </summary>
internal sealed class HistoryLog
{
    private static long s_lastTaskId = 1_048_576;
    private readonly List<HistoryEvent> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long NextEventId => _events.Count + 1;

    public long LastEventId => _events.Count;

    public long SizeBytes { get; private set; }

    public IReadOnlyList<HistoryEvent> Events => _events;

    /// <summary>Completes at the next append (or close); long polls wait on it outside the lock.</summary>
    public Task Changed => _changed.Task;

    public HistoryEvent Append(HistoryEvent historyEvent)
    {
        historyEvent.EventId = NextEventId;
        historyEvent.EventTime ??= Timestamp.FromDateTime(DateTime.UtcNow);
        historyEvent.TaskId = Interlocked.Increment(ref s_lastTaskId);
        _events.Add(historyEvent);
        SizeBytes += historyEvent.CalculateSize();
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
        return historyEvent;
    }

    /// <summary>Events with id in [fromEventId, fromEventId + max).</summary>
    public List<HistoryEvent> Slice(long fromEventId, int max)
    {
        var start = (int)Math.Max(0, fromEventId - 1);
        var count = Math.Max(0, Math.Min(max, _events.Count - start));
        return _events.GetRange(start, count);
    }

    public HistoryEvent this[long eventId] => _events[(int)eventId - 1];
}
