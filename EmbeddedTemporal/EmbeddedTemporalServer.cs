using System.Net;
using Grpc.AspNetCore.Server.Model;
using LeadFlow.EmbeddedTemporal.Grpc;
using LeadFlow.EmbeddedTemporal.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadFlow.EmbeddedTemporal;

/// <summary>
/// A single-process, in-memory server speaking Temporal's WorkflowService and OperatorService gRPC APIs well
/// enough for the Temporal SDKs to run workflows, with the Temporal Web UI and its HTTP/JSON API on a second
/// port. Development and test only: no persistence, no clustering; closed runs are deleted after their
/// namespace's retention.
/// </summary>
public sealed class EmbeddedTemporalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerState _state;
    private readonly WebUiHost? _webUi;

    private EmbeddedTemporalServer(WebApplication app, ServerState state, string address, WebUiHost? webUi)
    {
        _app = app;
        _state = state;
        _webUi = webUi;
        Address = address;
    }

    /// <summary>"127.0.0.1:PORT", the form TemporalClient.ConnectAsync takes as target host.</summary>
    public string Address { get; }

    /// <summary>Same as <see cref="Address"/>; named after TemporalClientConnectOptions.TargetHost.</summary>
    public string Target => Address;

    /// <summary>
    /// http://127.0.0.1:PORT/ of the Web UI and its HTTP API (<c>/api/v1/...</c>); null when
    /// <see cref="EmbeddedTemporalOptions.EnableWebUi"/> is off.
    /// </summary>
    public Uri? WebUiUrl => _webUi?.Url;

    /// <summary>The folder of the built UI being served, or null while the port serves only the API and a hint page.</summary>
    public string? WebUiAssetsDirectory => _webUi?.Files.Directory;

    /// <summary>Calls and handler time per gRPC method since start (or the last reset).</summary>
    public RpcMetrics Metrics => _state.Metrics;

    /// <summary>Runs kept in memory, open and closed (closed ones leave after their namespace's retention).</summary>
    public int RetainedRunCount => _state.Executions.RunCount;

    /// <summary>Starts the server; the gRPC port (and the Web UI port unless disabled) listen when this returns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="IOException">A port that was asked for explicitly is taken.</exception>
    public static async Task<EmbeddedTemporalServer> StartAsync(EmbeddedTemporalOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedTemporalOptions();
        options.Validate();
        var state = new ServerState(options);
        var handlers = WorkflowServiceHandlers.Create(state);

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
        builder.Services.AddUntracedHosting();
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(handlers);
        builder.Services.AddSingleton(state.Metrics);
        builder.Services.AddSingleton<IServiceMethodProvider<WorkflowServiceEndpoint>, WorkflowServiceBinder>();
        builder.Services.AddSingleton<IServiceMethodProvider<OperatorServiceEndpoint>, OperatorServiceBinder>();
        builder.Services.AddSingleton<WorkflowServiceEndpoint>();
        builder.Services.AddSingleton<OperatorServiceEndpoint>();

        var app = builder.Build();
        app.MapGrpcService<WorkflowServiceEndpoint>();
        app.MapGrpcService<OperatorServiceEndpoint>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        WebUiHost? webUi = null;
        try
        {
            webUi = options.EnableWebUi ? await WebUiHost.StartAsync(options, handlers, port, cancellationToken).ConfigureAwait(false) : null;
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new EmbeddedTemporalServer(app, state, $"127.0.0.1:{port}", webUi);
    }

    /// <summary>
    /// Serves the built UI in <paramref name="assetsDirectory"/> from now on (for a UI that was built after the
    /// server started, see <see cref="WebUiAssets.LocateOrBuildAsync"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The Web UI port is disabled.</exception>
    /// <exception cref="ArgumentException">The folder holds no index.html.</exception>
    public void AttachWebUi(string assetsDirectory) =>
        (_webUi ?? throw new InvalidOperationException("The Web UI port is disabled (EmbeddedTemporalOptions.EnableWebUi).")).Files.Attach(assetsDirectory);

    /// <summary>The text the Web UI port shows in place of the UI while none is attached (how to get one).</summary>
    public void SetWebUiUnavailableReason(string reason) => _webUi?.Files.SetUnavailable(reason);

    /// <summary>Stops both ports; held long polls answer at once and every run is forgotten.</summary>
    public async ValueTask DisposeAsync()
    {
        // Answer held long polls first so shutdown does not wait for them.
        _state.Stop();
        if (_webUi is not null)
        {
            await _webUi.DisposeAsync().ConfigureAwait(false);
        }

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _state.Dispose();
    }
}
