using System.Globalization;
using System.Runtime.InteropServices;
using LeadFlow.EmbeddedTemporal;

// Standalone: dotnet run --project EmbeddedTemporal -- --port 7233
const string Usage = """
    usage: LeadFlow.EmbeddedTemporal [--port 7233] [--namespace extra-namespace]... [--ui-port 8233|0|off]
                                     [--ui-build auto|never|only] [--retention 1.00:00:00]
      --port        gRPC port on 127.0.0.1 (default 7233; 0: a free port)
      --namespace   another namespace besides default (repeatable)
      --ui-port     Web UI and HTTP API port (default: --port + 1000, i.e. 8233; 0: a free port; off: no Web UI)
      --ui-build    auto: use the built UI from the cache, build it with npm in the background when missing (default);
                    never: only use the cache; only: find or build the UI, print its folder and exit
      --retention   how long closed runs are kept (default 1.00:00:00, 24 h)
    """;

var options = new EmbeddedTemporalOptions { Port = 7233 };
var uiBuild = "auto";
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--port" when value is not null:
            options.Port = int.Parse(value, CultureInfo.InvariantCulture);
            break;
        case "--namespace" when value is not null:
            options.Namespaces.Add(value);
            break;
        case "--ui-port" when value == "off":
            options.EnableWebUi = false;
            break;
        case "--ui-port" when value is not null:
            options.UiPort = int.Parse(value, CultureInfo.InvariantCulture);
            break;
        case "--ui-build" when value is "auto" or "never" or "only":
            uiBuild = value;
            break;
        case "--retention" when value is not null:
            options.DefaultRetention = TimeSpan.Parse(value, CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }

    i++;
}

if (uiBuild == "only")
{
    var built = await WebUiAssets.LocateOrBuildAsync(new WebUiBuildOptions { Log = Console.WriteLine });
    Console.WriteLine(built.Message);
    return built.IsAvailable ? 0 : 1;
}

var cached = options.EnableWebUi ? WebUiAssets.Locate() : null;
options.WebUiAssetsDirectory = cached?.Directory;
await using var server = await EmbeddedTemporalServer.StartAsync(options);
Console.WriteLine($"Embedded Temporal server listening on {server.Address} (namespaces: {string.Join(", ", options.Namespaces)})");
Console.WriteLine("WARNING: development/test only. State is in memory and lost on exit; closed runs are deleted after the namespace's retention.");

using var stopping = new CancellationTokenSource();
Task? uiBuilding = null;
if (server.WebUiUrl is { } url)
{
    Console.WriteLine($"Temporal Web UI: {url}");
    if (cached?.IsAvailable == false)
    {
        server.SetWebUiUnavailableReason(cached.Message);
        Console.WriteLine(cached.Message);
        if (uiBuild == "auto")
        {
            uiBuilding = BuildInBackgroundAsync(server, stopping.Token);
        }
    }
}

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
// SIGTERM (docker stop, kill, a test harness) must stop the server as promptly as Ctrl+C does.
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});
await stop.Task;
await stopping.CancelAsync();
if (uiBuilding is not null)
{
    await uiBuilding;
}

return 0;

// The server is already up: the UI joins it when npm is done, and a failed build only costs the UI.
static async Task BuildInBackgroundAsync(EmbeddedTemporalServer server, CancellationToken cancellationToken)
{
    try
    {
        var built = await WebUiAssets.LocateOrBuildAsync(new WebUiBuildOptions { Log = Console.WriteLine }, cancellationToken);
        Console.WriteLine(built.Message);
        if (built.Directory is { } directory)
        {
            server.AttachWebUi(directory);
        }
        else
        {
            server.SetWebUiUnavailableReason(built.Message);
        }
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
        // Stopped while building: the build is abandoned, the next start begins again.
    }
}
