using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace LeadFlow.EmbeddedTemporal.Http;

/// <summary>
/// The built single-page UI: files under its folder as they are, index.html for every other path (the app
/// routes in the browser), and while no build is attached a page saying how to get one.
/// </summary>
internal sealed class WebUiFiles
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private volatile string? _directory;
    private volatile string _unavailableReason = "No built Web UI was given to this server.";

    public string? Directory => _directory;

    public void Attach(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!File.Exists(Path.Combine(full, "index.html")))
        {
            throw new ArgumentException($"{full} holds no index.html: it is not a built Web UI (see WebUiAssets).", nameof(directory));
        }

        _directory = full;
    }

    public void SetUnavailable(string reason) => _unavailableReason = reason;

    public async Task ServeAsync(HttpContext http, IReadOnlyList<string> segments)
    {
        if (_directory is not { } root)
        {
            await WritePlaceholderAsync(http).ConfigureAwait(false);
            return;
        }

        var relative = Path.Combine([.. segments]);
        var file = Path.GetFullPath(Path.Combine(root, relative));
        var inside = file.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (inside && File.Exists(file))
        {
            var immutable = relative.StartsWith(Path.Combine("_app", "immutable"), StringComparison.Ordinal);
            await SendAsync(http, file, immutable).ConfigureAwait(false);
            return;
        }

        if (Path.HasExtension(relative) && !relative.EndsWith(".html", StringComparison.Ordinal))
        {
            http.Response.StatusCode = 404;
            return;
        }

        await SendAsync(http, Path.Combine(root, "index.html"), immutable: false).ConfigureAwait(false);
    }

    private static async Task SendAsync(HttpContext http, string file, bool immutable)
    {
        http.Response.ContentType = ContentTypes.TryGetContentType(file, out var type) ? type : "application/octet-stream";
        http.Response.Headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        await http.Response.SendFileAsync(file, http.RequestAborted).ConfigureAwait(false);
    }

    private async Task WritePlaceholderAsync(HttpContext http)
    {
        http.Response.StatusCode = 503;
        http.Response.ContentType = "text/html; charset=utf-8";
        var reason = WebUtility.HtmlEncode(_unavailableReason);
        await http.Response.WriteAsync(
            $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Temporal Web UI not built</title></head>
            <body style="font-family: sans-serif; max-width: 48rem; margin: 3rem auto">
            <h1>The Temporal Web UI is not available yet</h1>
            <p>This embedded Temporal server runs and its HTTP API answers under <code>/api/v1/</code>, but the Web UI is not built.</p>
            <pre style="white-space: pre-wrap">{reason}</pre>
            </body></html>
            """,
            http.RequestAborted).ConfigureAwait(false);
    }
}
