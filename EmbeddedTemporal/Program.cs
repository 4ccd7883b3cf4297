using System.Globalization;
using System.Runtime.InteropServices;
using LeadFlow.EmbeddedTemporal;

// Standalone: dotnet run --project EmbeddedTemporal -- --port 7233
var options = new EmbeddedTemporalOptions { Port = 7233 };
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length)
    {
        options.Port = int.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    else if (args[i] == "--namespace" && i + 1 < args.Length)
    {
        options.Namespaces.Add(args[++i]);
    }
    else
    {
        Console.Error.WriteLine("usage: LeadFlow.EmbeddedTemporal [--port 7233] [--namespace extra-namespace]...");
        return 2;
    }
}

await using var server = await EmbeddedTemporalServer.StartAsync(options);
Console.WriteLine($"Embedded Temporal server listening on {server.Address} (namespaces: {string.Join(", ", options.Namespaces)})");
Console.WriteLine("WARNING: development/test only. State is in memory and lost on exit; there is no Web UI.");

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
return 0;
