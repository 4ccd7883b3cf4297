using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using LeadFlow.LambdaRuntime;
using LeadFlow.TestSupport.Lambda;

// Serves one published Lambda bundle as AWS's managed .NET runtime runs it: load, init, then invocations through
// the local Invoke API. Its own lines (LambdaRuntimeLines) are for whoever started it (LambdaRuntimeProcess).
var startToMain = DateTime.Now - Process.GetCurrentProcess().StartTime;
if (RuntimeArguments.Parse(args) is not { } arguments)
{
    Console.Error.WriteLine(RuntimeArguments.Usage);
    return 2;
}

LambdaFunction function;
try
{
    function = LambdaFunction.Load(arguments.Bundle, arguments.Handler);
}
catch (ArgumentException wrongHandler)
{
    Console.Error.WriteLine($"{LambdaRuntimeLines.Prefix}{wrongHandler.Message}");
    return 2;
}
catch (Exception initError)
{
    Console.Error.WriteLine($"{LambdaRuntimeLines.Prefix}init failed: {initError}");
    return 1;
}

foreach (var note in function.ConfigurationNotes)
{
    Console.Error.WriteLine($"{LambdaRuntimeLines.Prefix}note: {note}");
}

var listening = Stopwatch.StartNew();
await using var host = await LambdaInvokeHost.StartAsync(
    new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>> { [arguments.FunctionName] = (payload, _) => InvokeAsync(payload) },
    // The managed runtime names every function error after the exception's type.
    new LambdaInvokeHostOptions { Url = arguments.Url, ErrorTypeOf = LambdaInvokeHost.TypeNameOf });
Console.WriteLine(LambdaRuntimeLines.Format(
    LambdaRuntimeLines.Ready,
    ("url", host.Endpoint),
    ("function", arguments.FunctionName),
    ("start-to-main-ms", Math.Round(startToMain.TotalMilliseconds)),
    ("load-ms", Math.Round(function.LoadTime.TotalMilliseconds, 1)),
    ("init-ms", Math.Round(function.InitTime.TotalMilliseconds, 1)),
    ("listen-ms", Math.Round(listening.Elapsed.TotalMilliseconds, 1)),
    ("jit-methods", JitInfo.GetCompiledMethodCount())));

await StopRequestedAsync();
return 0;

async Task<Stream> InvokeAsync(Stream payload)
{
    var started = Stopwatch.GetTimestamp();
    var answered = false;
    try
    {
        var output = await function.InvokeAsync(payload);
        answered = true;
        return output;
    }
    finally
    {
        Console.WriteLine(LambdaRuntimeLines.Format(
            LambdaRuntimeLines.Invoked,
            ("function", arguments.FunctionName),
            ("ms", Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1)),
            ("ok", answered),
            ("jit-methods", JitInfo.GetCompiledMethodCount())));
    }
}

// Ctrl+C, SIGTERM, or the end of a redirected standard input (the parent process closed it) stop the tool.
static async Task StopRequestedAsync()
{
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
    {
        signal.Cancel = true;
        stop.TrySetResult();
    });
    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
    {
        signal.Cancel = true;
        stop.TrySetResult();
    });
    if (Console.IsInputRedirected)
    {
        _ = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync() is not null)
            {
                // Input means nothing; only its end does.
            }

            stop.TrySetResult();
        });
    }

    await stop.Task;
}
