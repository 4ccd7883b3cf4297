using System.Net;
using Grpc.AspNetCore.Server.Model;
using LeadFlow.EmbeddedTemporal.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadFlow.EmbeddedTemporal;

/// <summary>
/// A single-process, in-memory server speaking Temporal's WorkflowService gRPC API well enough for the
/// Temporal SDKs to run workflows. Development and test only: no persistence, no Web UI, no clustering.
/// </summary>
public sealed class EmbeddedTemporalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerState _state;

    private EmbeddedTemporalServer(WebApplication app, ServerState state, string address)
    {
        _app = app;
        _state = state;
        Address = address;
    }

    /// <summary>"127.0.0.1:PORT", the form TemporalClient.ConnectAsync takes as target host.</summary>
    public string Address { get; }

    /// <summary>Same as <see cref="Address"/>; named after TemporalClientConnectOptions.TargetHost.</summary>
    public string Target => Address;

    /// <summary>Calls and handler time per gRPC method since start (or the last reset).</summary>
    public RpcMetrics Metrics => _state.Metrics;

    public static async Task<EmbeddedTemporalServer> StartAsync(EmbeddedTemporalOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedTemporalOptions();
        options.Validate();
        var state = new ServerState(options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // gRPC without TLS needs HTTP/2 only (prior knowledge); loopback only: this is not a network service.
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 10_000;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = 128 * 1024 * 1024;
            grpc.MaxSendMessageSize = 128 * 1024 * 1024;
        });
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(WorkflowServiceHandlers.Create(state));
        builder.Services.AddSingleton(state.Metrics);
        builder.Services.AddSingleton<IServiceMethodProvider<WorkflowServiceEndpoint>, WorkflowServiceBinder>();
        builder.Services.AddSingleton<WorkflowServiceEndpoint>();

        var app = builder.Build();
        app.MapGrpcService<WorkflowServiceEndpoint>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        return new EmbeddedTemporalServer(app, state, $"127.0.0.1:{port}");
    }

    public async ValueTask DisposeAsync()
    {
        // Answer held long polls first so shutdown does not wait for them.
        _state.Stop();
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _state.Dispose();
    }
}
