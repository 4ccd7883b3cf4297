namespace LeadFlow.Cli.Hosting;

/// <summary>The Temporal server a local run uses, and why.</summary>
/// <param name="Address">host:port of the frontend.</param>
/// <param name="Source">Where it came from, in words: "TEMPORAL_ADDRESS", "temporal CLI dev server", ...</param>
/// <param name="WebUiUrl">The Temporal Web UI, when the server has one.</param>
/// <param name="Warning">What a person must know about this server (the embedded one's limits).</param>
public sealed record TemporalEndpoint(string Address, string Source, Uri? WebUiUrl, string? Warning, IAsyncDisposable? Owned)
{
    public bool IsEmbedded => Source == TemporalLocator.EmbeddedSource;
}
