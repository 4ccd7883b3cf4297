using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadFlow.TestSupport.Lambda;

/// <summary>
/// A local stand-in for the AWS Lambda Invoke API (<c>POST /2015-03-31/functions/{name}/invocations</c>)
/// on real Kestrel, running Stream -> Stream handlers in process. Point an AWS client at it with
/// <c>AWS_ENDPOINT_URL_LAMBDA</c>. {name} may be a function name, <c>name:qualifier</c>, a partial
/// ARN (<c>123456789012:function:name</c>) or a full ARN, URL-encoded or not.
/// A throwing handler is reported as Lambda does: 200, <c>X-Amz-Function-Error: Unhandled</c>,
/// body <c>{"errorType","errorMessage","stackTrace"}</c>; errorType is, by default, the exception's
/// <c>LeadFlow.Ingress.INamedLambdaError.ErrorType</c> when it implements that interface, else its type name
/// (<see cref="LambdaInvokeHostOptions.ErrorTypeOf"/> changes that).
/// </summary>
public sealed class LambdaInvokeHost : IAsyncDisposable
{
    /// <summary>Lambda's synchronous payload limit (6 MB), request and response.</summary>
    public const int MaxPayloadBytes = 6 * 1024 * 1024;

    /// <summary>
    /// The interface the product's exceptions name their Lambda error with, looked up by name: this host
    /// references no product assembly, so the Lambda runtime tool can carry it alone, and it still
    /// recognises the interface on an exception from an assembly loaded in another load context.
    /// </summary>
    private const string NamedLambdaErrorInterface = "LeadFlow.Ingress.INamedLambdaError";

    private readonly WebApplication _app;
    private readonly Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>> _functions;
    private readonly Func<Exception, string> _errorTypeOf;
    private readonly List<Task> _asyncInvocations = [];

    private LambdaInvokeHost(WebApplication app, Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>> functions, Func<Exception, string> errorTypeOf, Uri endpoint)
    {
        _app = app;
        _functions = functions;
        _errorTypeOf = errorTypeOf;
        Endpoint = endpoint;
    }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The names of the functions this host serves.</summary>
    public IReadOnlyCollection<string> FunctionNames => _functions.Keys;

    /// <summary>Starts the host on a free loopback port with the default error naming.</summary>
    /// <param name="functions">Handlers by function name (the name alone, not an ARN).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static Task<LambdaInvokeHost> StartAsync(
        IDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> functions, CancellationToken cancellationToken = default) =>
        StartAsync(functions, new LambdaInvokeHostOptions(), cancellationToken);

    /// <summary>Starts the host as <paramref name="options"/> say.</summary>
    /// <param name="functions">Handlers by function name (the name alone, not an ARN).</param>
    /// <param name="options">Where to listen and how a thrown exception is named.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LambdaInvokeHost> StartAsync(
        IDictionary<string, Func<Stream, CancellationToken, Task<Stream>>> functions, LambdaInvokeHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(options);
        var byName = new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>>(functions, StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        LambdaInvokeHost? host = null;
        app.MapPost("/2015-03-31/functions/{name}/invocations", (HttpContext context, string name) => host!.InvokeAsync(context, name));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host = new LambdaInvokeHost(app, byName, options.ErrorTypeOf ?? ErrorTypeOf, new Uri(address.TrimEnd('/') + "/"));
        return host;
    }

    /// <summary>The function name inside a name, <c>name:qualifier</c>, partial or full ARN.</summary>
    public static string FunctionNameOf(string nameOrArn)
    {
        var decoded = Uri.UnescapeDataString(nameOrArn);
        var parts = decoded.Split(':');
        var function = Array.IndexOf(parts, "function");
        if (function >= 0 && function + 1 < parts.Length)
        {
            return parts[function + 1];
        }

        return parts[0];
    }

    /// <summary>Waits for asynchronous (<c>Event</c>) invocations still running, then stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] pending;
        lock (_asyncInvocations)
        {
            pending = [.. _asyncInvocations];
        }

        await Task.WhenAll(pending);
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task InvokeAsync(HttpContext context, string name)
    {
        var response = context.Response;
        response.Headers["X-Amz-Executed-Version"] = "$LATEST";
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        var functionName = FunctionNameOf(name);
        if (!_functions.TryGetValue(functionName, out var function))
        {
            await ErrorAsync(response, StatusCodes.Status404NotFound, "ResourceNotFoundException",
                $"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{functionName}");
            return;
        }

        var payload = new MemoryStream();
        await context.Request.Body.CopyToAsync(payload, context.RequestAborted);
        if (payload.Length > MaxPayloadBytes)
        {
            await ErrorAsync(response, StatusCodes.Status413PayloadTooLarge, "RequestTooLargeException", $"Request must be smaller than {MaxPayloadBytes} bytes for the InvokeFunction operation");
            return;
        }

        payload.Position = 0;
        var invocationType = context.Request.Headers["X-Amz-Invocation-Type"].FirstOrDefault() ?? "RequestResponse";
        switch (invocationType)
        {
            case "DryRun":
                response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case "Event":
                // Asynchronous: accepted now, run in the background; errors only reach the host's log.
                lock (_asyncInvocations)
                {
                    _asyncInvocations.Add(Task.Run(() => RunDetachedAsync(function, payload, functionName)));
                }

                response.StatusCode = StatusCodes.Status202Accepted;
                return;
            case "RequestResponse":
                break;
            default:
                await ErrorAsync(response, StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"Unknown invocation type {invocationType}");
                return;
        }

        Stream output;
        try
        {
            output = await function(payload, context.RequestAborted);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.Headers["X-Amz-Function-Error"] = "Unhandled";
            response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(response.Body, FunctionError(e, _errorTypeOf));
            return;
        }

        await using (output)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            await output.CopyToAsync(response.Body, context.RequestAborted);
        }
    }

    private async Task RunDetachedAsync(Func<Stream, CancellationToken, Task<Stream>> function, Stream payload, string functionName)
    {
        try
        {
            await (await function(payload, CancellationToken.None)).DisposeAsync();
        }
        catch (Exception e)
        {
            _app.Logger.LogWarning(e, "Asynchronous invocation of {Function} failed", functionName);
        }
    }

    /// <summary>The body of a function error, as the Lambda runtime writes it, named by <see cref="ErrorTypeOf"/>.</summary>
    public static Dictionary<string, object> FunctionError(Exception exception) => FunctionError(exception, ErrorTypeOf);

    /// <summary>The body of a function error, as the Lambda runtime writes it.</summary>
    /// <param name="exception">What the handler threw.</param>
    /// <param name="errorTypeOf">Names the error (<c>errorType</c>).</param>
    public static Dictionary<string, object> FunctionError(Exception exception, Func<Exception, string> errorTypeOf)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(errorTypeOf);
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        return new Dictionary<string, object>
        {
            ["errorType"] = errorTypeOf(exception),
            ["errorMessage"] = exception.Message,
            ["stackTrace"] = (exception.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }

    /// <summary>The exception's <c>INamedLambdaError.ErrorType</c> when it implements that interface and names one, else its type name.</summary>
    public static string ErrorTypeOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var named = exception.GetType().GetInterface(NamedLambdaErrorInterface)?.GetProperty("ErrorType")?.GetValue(exception) as string;
        return string.IsNullOrEmpty(named) ? exception.GetType().Name : named;
    }

    /// <summary>The exception's type name, as AWS's managed .NET runtime names every function error.</summary>
    public static string TypeNameOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.GetType().Name;
    }

    private static async Task ErrorAsync(HttpResponse response, int status, string type, string message)
    {
        response.StatusCode = status;
        response.Headers["x-amzn-ErrorType"] = type;
        response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(response.Body, new Dictionary<string, string> { ["Type"] = "User", ["message"] = message, ["__type"] = type });
    }
}
