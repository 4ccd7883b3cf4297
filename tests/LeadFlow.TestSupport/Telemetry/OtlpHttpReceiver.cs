using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadFlow.TestSupport.Telemetry;

/// <summary>
/// An OTLP/HTTP endpoint on real Kestrel (a free loopback port) that accepts every export (<c>POST /v1/traces</c>,
/// <c>/v1/metrics</c>, <c>/v1/logs</c>, protobuf) and keeps each request's path and body, as a collector would receive
/// them. Protobuf keeps strings as UTF-8 bytes, so span names and attribute values can be looked for in the bodies.
/// Started with <c>keepBodies: false</c> it reads each body whole and keeps nothing: the cheapest possible receiver, a
/// stand-in for a collector on another machine.
/// </summary>
public sealed class OtlpHttpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _exports = new();
    private long _requests;

    private OtlpHttpReceiver(WebApplication app) => _app = app;

    /// <summary>The endpoint to give as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>How many export requests arrived (kept or not).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Every export received so far, in order (none when started with <c>keepBodies: false</c>).</summary>
    public IReadOnlyList<(string Path, byte[] Body)> Exports => [.. _exports];

    public static async Task<OtlpHttpReceiver> StartAsync(bool keepBodies = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpHttpReceiver(app);
        app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            Interlocked.Increment(ref receiver._requests);
            if (keepBodies)
            {
                receiver._exports.Enqueue(($"/v1/{signal}", body.ToArray()));
            }

            // An empty Export*ServiceResponse: everything accepted.
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    /// <summary>Whether an export to <paramref name="path"/> holds <paramref name="text"/> (as UTF-8).</summary>
    public bool Received(string path, string text) =>
        _exports.Any(e => e.Path == path && e.Body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0);

    /// <summary>Whether any export holds <paramref name="text"/>.</summary>
    public bool AnyHolds(string text) => _exports.Any(e => e.Body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
