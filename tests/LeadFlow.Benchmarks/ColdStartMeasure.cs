using System.Diagnostics;
using System.Runtime.InteropServices;
using LeadFlow.TestSupport.Lambda;
using LeadFlow.TestSupport.Publishing;

namespace LeadFlow.Benchmarks;

/// <summary>
/// One cold start of a published Lambda bundle: the Lambda runtime tool started as a fresh process on it (load,
/// init, Invoke API), then invoked over HTTP. The clock runs from just before the process starts to the first
/// answer; a second invocation, warm, is timed for comparison.
/// </summary>
public static class ColdStartMeasure
{
    /// <summary>The Lambda runtime tool's project, repository-relative.</summary>
    public const string ToolProject = "tests/LeadFlow.LambdaRuntime";

    /// <summary>
    /// Publishes the tool ReadyToRun for this machine into <paramref name="folder"/> and returns its entry assembly:
    /// AWS's runtime client is precompiled too, so the tool's own start weighs little and alike in every measure.
    /// </summary>
    public static async Task<string> PublishToolAsync(string folder)
    {
        await DotnetPublish.RunAsync(ToolProject, folder, new Dictionary<string, string>
        {
            ["RuntimeIdentifier"] = RuntimeInformation.RuntimeIdentifier,
            ["SelfContained"] = "false",
            ["PublishReadyToRun"] = "true",
        });
        return Path.Combine(folder, "LeadFlow.LambdaRuntime.dll");
    }

    /// <summary>Starts the bundle's handler in a new process, invokes it twice and stops it.</summary>
    /// <param name="tool">The Lambda runtime tool's entry assembly (<see cref="PublishToolAsync"/>).</param>
    /// <param name="http">Client for the Invoke API calls.</param>
    /// <param name="bundle">The publish folder.</param>
    /// <param name="handler"><c>Assembly::Namespace.Type::Method</c>.</param>
    /// <param name="environment">The function's settings (environment variables, as the template sets them).</param>
    /// <param name="payload">A fresh invocation payload (called once per invocation).</param>
    /// <exception cref="InvalidOperationException">The process did not come up, or an invocation was not answered with a result.</exception>
    public static async Task<ColdStart> RunAsync(
        string tool, HttpClient http, string bundle, string handler, IReadOnlyDictionary<string, string> environment, Func<string> payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var clock = Stopwatch.StartNew();
        await using var lambda = await LambdaRuntimeProcess.StartAsync(tool, bundle, handler, environment);
        await InvokeAsync(lambda, http, payload());
        var cold = clock.Elapsed;
        var cpu = lambda.TotalProcessorTime;
        var warmClock = Stopwatch.StartNew();
        await InvokeAsync(lambda, http, payload());
        var warm = warmClock.Elapsed;

        var ready = lambda.Ready;
        var first = lambda.Invocations[0];
        return new ColdStart(
            cold.TotalMilliseconds,
            cpu.TotalMilliseconds,
            LambdaRuntimeLines.Number(ready, "start-to-main-ms"),
            LambdaRuntimeLines.Number(ready, "load-ms") + LambdaRuntimeLines.Number(ready, "init-ms"),
            LambdaRuntimeLines.Number(ready, "listen-ms"),
            LambdaRuntimeLines.Number(first, "ms"),
            (int)LambdaRuntimeLines.Number(first, "jit-methods"),
            warm.TotalMilliseconds);
    }

    private static async Task InvokeAsync(LambdaRuntimeProcess lambda, HttpClient http, string payload)
    {
        var (status, functionError, body) = await lambda.InvokeAsync(http, payload);
        if (status != 200 || functionError is not null)
        {
            throw new InvalidOperationException($"invocation answered {status} {functionError}: {body}\n{lambda.StandardError}");
        }
    }
}

/// <summary>One measured cold start, in milliseconds.</summary>
/// <param name="ColdMs">Process start to the first answered invocation (the measure).</param>
/// <param name="CpuMs">CPU time the process used by then, all threads: what the start costs without the wait for a busy machine's cores.</param>
/// <param name="StartToMainMs">Process start to the tool's Main (runtime start-up; 10 ms resolution).</param>
/// <param name="InitMs">Loading the handler and running its constructor (Lambda's init phase).</param>
/// <param name="HostMs">Starting the local Invoke API (Kestrel): the tool's own cost, the same for every bundle.</param>
/// <param name="FirstInvokeMs">The first invocation inside the handler.</param>
/// <param name="JitMethods">Methods JIT-compiled in the process up to the first answer.</param>
/// <param name="WarmInvokeMs">A second invocation, round trip.</param>
public sealed record ColdStart(double ColdMs, double CpuMs, double StartToMainMs, double InitMs, double HostMs, double FirstInvokeMs, int JitMethods, double WarmInvokeMs);
