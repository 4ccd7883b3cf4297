namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// Deletes a closed run once its namespace's retention has passed since it closed, as the real history service
/// does with the delete-history timer task it creates at close (the retention in force at close time counts).
/// The run then disappears from Describe, List, Count and history calls, and its memory is freed, so a local
/// server that stays up for days does not grow without bound.
/// </summary>
internal sealed class Retention(ServerState state)
{
    /// <summary>Caller holds the run's lock and has just closed it.</summary>
    public void ScheduleDeletion(WorkflowRun run)
    {
        var retention = state.Namespaces.Require(run.Namespace).Retention;
        var due = (run.CloseTime ?? DateTime.UtcNow) + retention;
        state.Timers.Schedule(due, () =>
        {
            lock (run.Gate)
            {
                if (!run.IsOpen)
                {
                    state.Executions.Delete(run);
                }
            }
        });
    }
}
