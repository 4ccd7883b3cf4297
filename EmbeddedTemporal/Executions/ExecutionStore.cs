using System.Collections.Concurrent;
using LeadFlow.EmbeddedTemporal.Grpc;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>All workflow chains and runs, in memory. Lost when the process exits, by design.</summary>
internal sealed class ExecutionStore
{
    private readonly ConcurrentDictionary<(string Namespace, string WorkflowId), WorkflowChain> _chains = new();
    private readonly ConcurrentDictionary<string, WorkflowRun> _runs = new(StringComparer.Ordinal);

    public WorkflowChain Chain(string @namespace, string workflowId) =>
        _chains.GetOrAdd((@namespace, workflowId), key => new WorkflowChain(key.Namespace, key.WorkflowId));

    public void AddRun(WorkflowRun run) => _runs[run.RunId] = run;

    public IEnumerable<WorkflowRun> AllRuns => _runs.Values;

    /// <summary>The run named by id, or the current run of the workflow id when the run id is empty.</summary>
    public WorkflowRun Find(string @namespace, string workflowId, string? runId)
    {
        if (!string.IsNullOrEmpty(runId))
        {
            if (_runs.TryGetValue(runId, out var run) && run.Namespace == @namespace && run.WorkflowId == workflowId)
            {
                return run;
            }
        }
        else if (_chains.TryGetValue((@namespace, workflowId), out var chain))
        {
            lock (chain.Gate)
            {
                if (chain.Current is { } current)
                {
                    return current;
                }
            }
        }

        throw RpcErrors.NotFound($"workflow not found for ID: {workflowId}");
    }

    public WorkflowRun? FindByRunId(string runId) => _runs.GetValueOrDefault(runId);

    /// <summary>Number of runs kept (open and closed), for tests and benchmarks.</summary>
    public int RunCount => _runs.Count;

    /// <summary>Forgets a closed run (retention). Caller holds the run's lock, which is its chain's.</summary>
    public void Delete(WorkflowRun run)
    {
        var chain = run.Chain;
        chain.Runs.Remove(run);
        _runs.TryRemove(run.RunId, out _);
        if (chain.Runs.Count == 0)
        {
            chain.IsDeleted = true;
            _chains.TryRemove(new KeyValuePair<(string, string), WorkflowChain>((chain.Namespace, chain.WorkflowId), chain));
        }
    }
}
