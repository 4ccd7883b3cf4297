namespace LeadFlow.Cli.Hosting;

/// <summary>The Temporal server a local run uses, and why.</summary>
/// <param name="Address">host:port of the frontend.</param>
/// <param name="Source">Where it came from, in words: "TEMPORAL_ADDRESS", "temporal CLI dev server", ...</param>
/// <param name="WebUiUrl">The Temporal Web UI (its root, ending in '/'), when the server has one or one is configured.</param>
/// <param name="Warning">What a person must know about this server (the embedded one's limits).</param>
/// <param name="WebUiNote">About the Web UI, when there is something to say: why there is none and how to get it, or that it is still being built.</param>
public sealed record TemporalEndpoint(string Address, string Source, Uri? WebUiUrl, string? Warning, IAsyncDisposable? Owned, string? WebUiNote = null)
{
    public bool IsEmbedded => Source == TemporalLocator.EmbeddedSource;

    /// <summary>The Web UI's list of workflows of <paramref name="namespace"/>; null without a UI.</summary>
    public Uri? WorkflowsPage(string @namespace) =>
        WebUiUrl is { } ui ? new Uri(ui, $"namespaces/{Uri.EscapeDataString(@namespace)}/workflows") : null;

    /// <summary>The Web UI's page of one run (its history); null without a UI.</summary>
    public Uri? WorkflowPage(string @namespace, string workflowId, string runId) =>
        WebUiUrl is { } ui ? new Uri(ui, $"namespaces/{Uri.EscapeDataString(@namespace)}/workflows/{Uri.EscapeDataString(workflowId)}/{Uri.EscapeDataString(runId)}/history") : null;
}
