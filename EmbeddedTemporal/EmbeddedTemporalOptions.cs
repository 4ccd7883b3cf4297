namespace LeadFlow.EmbeddedTemporal;

/// <summary>Settings of an embedded server. Every default works for tests and local runs.</summary>
public sealed class EmbeddedTemporalOptions
{
    /// <summary>The Web UI port the Temporal CLI uses with its default gRPC port 7233.</summary>
    public const int DefaultUiPort = 8233;

    /// <summary>TCP port on 127.0.0.1; 0 picks a free port (see <see cref="EmbeddedTemporalServer.Address"/>).</summary>
    public int Port { get; set; }

    /// <summary>Namespaces that exist from the start. The real dev server pre-registers <c>default</c>.</summary>
    public IList<string> Namespaces { get; } = new List<string> { "default" };

    /// <summary>
    /// How long a poll or a history long-poll is held before it answers empty. The SDK's own deadline
    /// is about 70 s, so this must stay well below it (the real server uses about 60 s).
    /// </summary>
    public TimeSpan LongPollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A sticky queue without a poll for this long is treated as gone and its tasks go to the normal
    /// queue (the real matching service's sticky-poller-unavailable window is 10 s).
    /// </summary>
    public TimeSpan StickyPollerUnavailableWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a closed run is kept before it is deleted, for namespaces without their own value in
    /// <see cref="NamespaceRetention"/> and for RegisterNamespace calls that give none. Default 24 h, the
    /// retention the Temporal CLI dev server gives its namespaces. DescribeNamespace reports it as
    /// <c>workflowExecutionRetentionTtl</c>; UpdateNamespace changes it at run time.
    /// </summary>
    public TimeSpan DefaultRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Retention of particular namespaces from <see cref="Namespaces"/>, by name (overrides <see cref="DefaultRetention"/>).</summary>
    public IDictionary<string, TimeSpan> NamespaceRetention { get; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>
    /// Whether the HTTP port with the Web UI and its HTTP/JSON API (<c>/api/v1/...</c>) is opened. Default on;
    /// off leaves only the gRPC port.
    /// </summary>
    public bool EnableWebUi { get; set; } = true;

    /// <summary>
    /// HTTP/1.1 port of the Web UI on 127.0.0.1. Null (the default) follows the Temporal CLI: the gRPC
    /// <see cref="Port"/> + 1000 (so 7233 gives 8233), or, when that port is taken or <see cref="Port"/> is 0,
    /// a free port. 0 asks for a free port; any other value must be free or start-up fails.
    /// See <see cref="EmbeddedTemporalServer.WebUiUrl"/>.
    /// </summary>
    public int? UiPort { get; set; }

    /// <summary>
    /// Folder of the built Web UI (index.html and _app/), as <see cref="WebUiAssets.LocateOrBuildAsync"/> finds
    /// it. Null: the HTTP port serves the API and a page saying how to get the UI; the UI can be attached later
    /// with <see cref="EmbeddedTemporalServer.AttachWebUi"/>.
    /// </summary>
    public string? WebUiAssetsDirectory { get; set; }

    /// <summary>
    /// Remote codec server the Web UI sends payloads to for decoding (the <c>codec.endpoint</c> of the UI's
    /// settings, as the Temporal UI server's <c>TEMPORAL_CODEC_ENDPOINT</c>). Null: none, payloads are shown as stored.
    /// </summary>
    public Uri? CodecEndpoint { get; set; }

    /// <summary>Whether the UI passes the user's access token to <see cref="CodecEndpoint"/> (<c>codec.passAccessToken</c>).</summary>
    public bool CodecPassAccessToken { get; set; }

    /// <summary>Whether the UI sends cookies to <see cref="CodecEndpoint"/> (<c>codec.includeCredentials</c>).</summary>
    public bool CodecIncludeCredentials { get; set; }

    /// <summary>The retention a namespace of <see cref="Namespaces"/> starts with.</summary>
    public TimeSpan RetentionOf(string @namespace) =>
        NamespaceRetention.TryGetValue(@namespace, out var retention) ? retention : DefaultRetention;

    internal void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be between 0 and 65535.");
        }

        if (UiPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(UiPort), UiPort, "UiPort must be between 0 and 65535 (0: a free port; null: Port + 1000 as the Temporal CLI does).");
        }

        if (LongPollTimeout <= TimeSpan.Zero || LongPollTimeout > TimeSpan.FromSeconds(65))
        {
            throw new ArgumentOutOfRangeException(nameof(LongPollTimeout), LongPollTimeout, "LongPollTimeout must be between 0 and 65 seconds (the SDK gives up at about 70 s).");
        }

        foreach (var (name, retention) in NamespaceRetention.Append(new KeyValuePair<string, TimeSpan>(nameof(DefaultRetention), DefaultRetention)))
        {
            if (retention <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(NamespaceRetention), retention, $"The retention of {name} must be positive.");
            }
        }
    }
}
