namespace LeadFlow.EmbeddedTemporal;

/// <summary>Settings of an embedded server. Every default works for tests and local runs.</summary>
public sealed class EmbeddedTemporalOptions
{
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

    internal void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be between 0 and 65535.");
        }

        if (LongPollTimeout <= TimeSpan.Zero || LongPollTimeout > TimeSpan.FromSeconds(65))
        {
            throw new ArgumentOutOfRangeException(nameof(LongPollTimeout), LongPollTimeout, "LongPollTimeout must be between 0 and 65 seconds (the SDK gives up at about 70 s).");
        }
    }
}
