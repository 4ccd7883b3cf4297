namespace LeadFlow.Hosting;

/// <summary>The health endpoint of a worker service (configuration section <c>Health</c>).</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>
    /// <c>Health__Url</c>: where the health endpoint listens, an <see cref="System.Net.HttpListener"/> prefix such as
    /// <c>http://+:8080/</c> (every address, as in a container) or <c>http://127.0.0.1:8091/</c>. Empty (the default):
    /// no endpoint, so several workers can run on one machine without a port each.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>True when an endpoint is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The listener prefix: <see cref="Url"/> with the trailing slash <see cref="System.Net.HttpListener"/> requires.</summary>
    public string Prefix => Url!.EndsWith('/') ? Url : Url + "/";

    /// <summary>What is wrong with these settings, naming the variable; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        if (!Enabled)
        {
            return [];
        }

        // HttpListener's wildcards (+, *) are not host names Uri accepts: check the shape with a stand-in host.
        var candidate = Url!.Replace("//+:", "//localhost:", StringComparison.Ordinal).Replace("//*:", "//localhost:", StringComparison.Ordinal);
        return Uri.TryCreate(candidate, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp && url.AbsolutePath == "/"
            ? []
            : ["Health__Url must be http://<host>:<port>/ (host + for every address), e.g. http://+:8080/"];
    }
}
