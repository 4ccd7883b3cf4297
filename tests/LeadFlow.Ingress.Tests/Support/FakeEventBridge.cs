using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using LeadFlow.TestSupport.Aws;

namespace LeadFlow.Ingress.Tests.Support;

/// <summary>One PutEvents request as the fake bus saw it.</summary>
public sealed record ReceivedPutEvents(IReadOnlyList<JsonObject> Entries, string SignedHeaders);

/// <summary>
/// A PutEvents endpoint on real Kestrel that checks what AWS checks: the JSON 1.1 target and
/// content type, and the SigV4 signature, recomputed here from the known test secret.
/// </summary>
public sealed class FakeEventBridge : IAsyncDisposable
{
    public const string AccessKeyId = "AKIDTESTKEY";
    public const string SecretAccessKey = "test/secret+KEY";
    public const string Region = "eu-west-1";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedPutEvents> _requests = new();

    private FakeEventBridge(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ReceivedPutEvents> Requests => [.. _requests];

    /// <summary>Decides an entry's answer: null = accepted, else an error code.</summary>
    public Func<JsonObject, int, string?> FailEntry { get; set; } = (_, _) => null;

    public static async Task<FakeEventBridge> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var bus = new FakeEventBridge(app);
        app.MapPost("/", bus.PutEventsAsync);
        await app.StartAsync();
        bus.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        return bus;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> PutEventsAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (request.Headers["X-Amz-Target"] != "AWSEvents.PutEvents" || request.ContentType != "application/x-amz-json-1.1")
        {
            return Error(400, "UnknownOperationException", $"target {request.Headers["X-Amz-Target"]}, content type {request.ContentType}");
        }

        var (valid, signedHeaders, why) = SigV4.Verify(request, body, AccessKeyId, SecretAccessKey, Region, "events");
        if (!valid)
        {
            return Error(403, "InvalidSignatureException", why);
        }

        var entries = JsonNode.Parse(body)!["Entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var attempt = _requests.Count;
        _requests.Enqueue(new ReceivedPutEvents(entries, signedHeaders));
        var results = new JsonArray();
        var failed = 0;
        foreach (var entry in entries)
        {
            var code = FailEntry(entry, attempt);
            if (code is null)
            {
                results.Add(new JsonObject { ["EventId"] = Guid.NewGuid().ToString() });
            }
            else
            {
                failed++;
                results.Add(new JsonObject { ["ErrorCode"] = code, ["ErrorMessage"] = "injected by the test" });
            }
        }

        return Results.Text(new JsonObject { ["FailedEntryCount"] = failed, ["Entries"] = results }.ToJsonString(), "application/x-amz-json-1.1");
    }

    private static IResult Error(int status, string type, string message) =>
        Results.Json(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }, statusCode: status, contentType: "application/x-amz-json-1.1");
}
