namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>All runs sharing one workflow id in a namespace; the last one is the current run.</summary>
internal sealed class WorkflowChain(string @namespace, string workflowId)
{
    public string Namespace { get; } = @namespace;

    public string WorkflowId { get; } = workflowId;

    /// <summary>The one lock for every run of this workflow id (see <see cref="WorkflowRun.Gate"/>).</summary>
    public Lock Gate { get; } = new();

    public List<WorkflowRun> Runs { get; } = [];

    public WorkflowRun? Current => Runs.Count == 0 ? null : Runs[^1];

    /// <summary>
    /// Set when retention deleted the chain's last run: the chain is out of the store, and a start that
    /// obtained it just before must look the workflow id up again.
    /// </summary>
    public bool IsDeleted { get; set; }
}
