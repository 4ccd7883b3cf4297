using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace LeadFlow.TestSupport.Lambda;

/// <summary>
/// The Lambda runtime tool (<c>tests/LeadFlow.LambdaRuntime</c>) running one published bundle in a process of its
/// own, as AWS's managed runtime would: started, ready once it prints its Invoke API address, invoked over HTTP,
/// stopped by closing its standard input.
/// </summary>
public sealed class LambdaRuntimeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors;
    private readonly List<IReadOnlyDictionary<string, string>> _invocations;

    private LambdaRuntimeProcess(Process process, StringBuilder errors, List<IReadOnlyDictionary<string, string>> invocations, IReadOnlyDictionary<string, string> ready, Uri invocationUri)
    {
        _process = process;
        _errors = errors;
        _invocations = invocations;
        Ready = ready;
        InvocationUri = invocationUri;
    }

    /// <summary>The fields of the tool's ready line (<c>url</c>, <c>start-to-main-ms</c>, <c>load-ms</c>, <c>init-ms</c>, <c>listen-ms</c>, <c>jit-methods</c>).</summary>
    public IReadOnlyDictionary<string, string> Ready { get; }

    /// <summary><c>POST</c> here to invoke the function.</summary>
    public Uri InvocationUri { get; }

    /// <summary>CPU time the process has used so far, all threads.</summary>
    public TimeSpan TotalProcessorTime => _process.TotalProcessorTime;

    /// <summary>The fields of each <c>invoked</c> line so far (<c>ms</c>, <c>ok</c>, <c>jit-methods</c>).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Invocations
    {
        get
        {
            lock (_invocations)
            {
                return [.. _invocations];
            }
        }
    }

    /// <summary>What the tool wrote to standard error so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="handler"/> of <paramref name="bundle"/> and waits until it serves.</summary>
    /// <param name="toolAssembly">LeadFlow.LambdaRuntime.dll (built or published).</param>
    /// <param name="bundle">The Lambda's publish folder.</param>
    /// <param name="handler"><c>Assembly::Namespace.Type::Method</c>.</param>
    /// <param name="environment">The function's settings, as environment variables.</param>
    /// <param name="readyTimeout">How long load, init and the Invoke API's start may take (default 60 s).</param>
    /// <exception cref="InvalidOperationException">The tool exited or did not get ready in time; the message holds its error output.</exception>
    public static async Task<LambdaRuntimeProcess> StartAsync(
        string toolAssembly, string bundle, string handler, IReadOnlyDictionary<string, string> environment, TimeSpan? readyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        const string FunctionName = "function";
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { toolAssembly, bundle, handler, "--name", FunctionName },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var errors = new StringBuilder();
        var invocations = new List<IReadOnlyDictionary<string, string>>();
        var ready = new TaskCompletionSource<IReadOnlyDictionary<string, string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.OutputDataReceived += (_, line) =>
        {
            if (!LambdaRuntimeLines.TryParse(line.Data, out var kind, out var fields))
            {
                return;
            }

            if (kind == LambdaRuntimeLines.Ready)
            {
                ready.TrySetResult(fields);
            }
            else if (kind == LambdaRuntimeLines.Invoked)
            {
                lock (invocations)
                {
                    invocations.Add(fields);
                }
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (errors)
            {
                errors.AppendLine(line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(ready.Task, exited, Task.Delay(readyTimeout ?? TimeSpan.FromSeconds(60))) != ready.Task)
        {
            var why = process.HasExited ? $"exited {process.ExitCode}" : "did not get ready in time";
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await exited;
            process.Dispose();
            lock (errors)
            {
                throw new InvalidOperationException($"{handler} from {bundle} {why}: {errors}");
            }
        }

        var fields = await ready.Task;
        return new LambdaRuntimeProcess(process, errors, invocations, fields, new Uri(new Uri(fields["url"]), $"2015-03-31/functions/{FunctionName}/invocations"));
    }

    /// <summary>One synchronous invocation (<c>RequestResponse</c>).</summary>
    /// <returns>The HTTP status, the <c>X-Amz-Function-Error</c> header (null when the function answered) and the body.</returns>
    public async Task<(int Status, string? FunctionError, string Body)> InvokeAsync(HttpClient http, string payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var content = new StringContent(payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var response = await http.PostAsync(InvocationUri, content, cancellationToken);
        var functionError = response.Headers.TryGetValues("X-Amz-Function-Error", out var values) ? values.First() : null;
        return ((int)response.StatusCode, functionError, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Closes the tool's standard input (it stops), and kills it when it has not stopped within 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
