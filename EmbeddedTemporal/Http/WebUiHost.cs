using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using LeadFlow.EmbeddedTemporal.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Http;

/// <summary>
/// The embedded server's HTTP/1.1 port: the Web UI's files, <c>GET /api/v1/settings</c>, the raw history
/// download and the HTTP/JSON API, on 127.0.0.1 (the Temporal CLI serves its UI on port 8233 the same way).
/// </summary>
internal sealed class WebUiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebUiHost(WebApplication app, WebUiFiles files, Uri url)
    {
        _app = app;
        Files = files;
        Url = url;
    }

    public WebUiFiles Files { get; }

    /// <summary>http://127.0.0.1:PORT/.</summary>
    public Uri Url { get; }

    public static async Task<WebUiHost> StartAsync(EmbeddedTemporalOptions options, ServiceHandlers handlers, int grpcPort, CancellationToken cancellationToken)
    {
        var port = options.UiPort ?? DerivedPort(grpcPort);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1AndHttp2));
        builder.Services.AddUntracedHosting();
        var app = builder.Build();

        var files = new WebUiFiles();
        if (options.WebUiAssetsDirectory is { } assets)
        {
            files.Attach(assets);
        }

        var api = new HttpApi(handlers);
        var settings = WebUiSettings.Json(options);
        app.Run(http => HandleAsync(http, api, files, handlers, settings));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebUiHost(app, files, new Uri($"http://127.0.0.1:{new Uri(bound).Port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The Temporal CLI's rule: UI port = gRPC port + 1000, unless that is not a port or not free (then any free port).</summary>
    private static int DerivedPort(int grpcPort)
    {
        var wanted = grpcPort + 1000;
        if (grpcPort == 0 || wanted > 65535)
        {
            return 0;
        }

        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, wanted);
            probe.Start();
            return wanted;
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    private static async Task HandleAsync(HttpContext http, HttpApi api, WebUiFiles files, ServiceHandlers handlers, string settings)
    {
        var segments = PathSegments(http);
        switch (segments)
        {
            case ["api", "v1", "settings"]:
                await HttpApi.WriteJsonAsync(http, 200, settings).ConfigureAwait(false);
                return;
            case ["api", "v1", "namespaces", var ns, "workflows", var workflowId, "run", var runId, "history.json"]:
                await WriteRawHistoryAsync(http, handlers, ns, workflowId, runId).ConfigureAwait(false);
                return;
            case ["api", ..]:
                if (!await api.TryHandleAsync(http, segments).ConfigureAwait(false))
                {
                    await HttpApi.WriteJsonAsync(http, 404, ProtoJson.Error((int)StatusCode.NotFound, "Not Found", [])).ConfigureAwait(false);
                }

                return;
            default:
                await files.ServeAsync(http, segments).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>The path as the browser sent it, split at '/', each segment percent-decoded (so %2F in a workflow id stays in it).</summary>
    private static List<string> PathSegments(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "/";
        var path = raw.Split('?', 2)[0];
        return path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
    }

    /// <summary>
    /// The whole history of a run as one JSON array of events, as the UI server's history.json download
    /// (server/server/api/rawhistory.go) streams it page by page; events are written as protojson.
    /// </summary>
    private static async Task WriteRawHistoryAsync(HttpContext http, ServiceHandlers handlers, string ns, string workflowId, string runId)
    {
        var getHistory = handlers.Workflow.Find("GetWorkflowExecutionHistory")!;
        var context = new HttpCallContext(http, "/temporal.api.workflowservice.v1.WorkflowService/GetWorkflowExecutionHistory");
        var request = new GetWorkflowExecutionHistoryRequest { Namespace = ns, Execution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId } };
        GetWorkflowExecutionHistoryResponse page;
        try
        {
            page = (GetWorkflowExecutionHistoryResponse)await getHistory(request, context).ConfigureAwait(false);
        }
        catch (RpcException error)
        {
            await HttpApi.WriteErrorAsync(http, error).ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "application/json";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{workflowId}_{runId}_events.json\"";
        await http.Response.WriteAsync("[", http.RequestAborted).ConfigureAwait(false);
        var first = true;
        while (true)
        {
            foreach (var historyEvent in page.History.Events)
            {
                await http.Response.WriteAsync((first ? string.Empty : ",") + ProtoJson.Formatter.Format(historyEvent), http.RequestAborted).ConfigureAwait(false);
                first = false;
            }

            if (page.NextPageToken.IsEmpty)
            {
                break;
            }

            request.NextPageToken = page.NextPageToken;
            page = (GetWorkflowExecutionHistoryResponse)await getHistory(request, context).ConfigureAwait(false);
        }

        await http.Response.WriteAsync("]", http.RequestAborted).ConfigureAwait(false);
    }
}
