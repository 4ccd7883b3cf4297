using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace LeadFlow.Aws;

/// <summary>A started (or, for an identical repeat of a running one, the same) execution.</summary>
/// <param name="ExecutionArn">The execution's ARN.</param>
/// <param name="StartDate">When it started.</param>
public sealed record StartedExecution(string ExecutionArn, DateTimeOffset StartDate);

/// <summary>What <c>DescribeExecution</c> says of an execution.</summary>
/// <param name="Status"><c>RUNNING</c>, <c>SUCCEEDED</c>, <c>FAILED</c>, <c>TIMED_OUT</c>, <c>ABORTED</c>, <c>PENDING_REDRIVE</c>.</param>
/// <param name="Input">The execution's input, as the string it was started with.</param>
public sealed record ExecutionDescription(string ExecutionArn, string Name, string Status, string? Input);

/// <summary>The two Step Functions calls the starter needs. The signed HTTP client implements it; tests use a local fake.</summary>
public interface IStepFunctionsClient
{
    /// <exception cref="AwsRequestException">E.g. <c>ExecutionAlreadyExists</c> (the name is taken by a closed execution, or by a running one with other input).</exception>
    Task<StartedExecution> StartExecutionAsync(string stateMachineArn, string name, string input, CancellationToken cancellationToken = default);

    /// <exception cref="AwsRequestException">E.g. <c>ExecutionDoesNotExist</c>, <c>AccessDeniedException</c>.</exception>
    Task<ExecutionDescription> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default);
}

/// <summary>
/// Step Functions over its JSON 1.0 protocol (<c>X-Amz-Target: AWSStepFunctions.StartExecution</c>, signing name
/// <c>states</c>), https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html.
/// </summary>
public sealed class StepFunctionsHttpClient(IAwsJsonClient aws, Uri endpoint, string region) : IStepFunctionsClient
{
    public const string SigningService = "states";

    /// <summary>The public regional endpoint, <c>https://states.&lt;region&gt;.amazonaws.com/</c>.</summary>
    public static Uri EndpointFor(string region) => new($"https://states.{region}.amazonaws.com/");

    /// <inheritdoc/>
    /// <remarks>
    /// While a recorded span is current (telemetry on), its context goes along as the execution's X-Ray
    /// <c>traceHeader</c>: with the state machine's tracing on, the execution and its step Lambdas continue that trace.
    /// </remarks>
    public async Task<StartedExecution> StartExecutionAsync(string stateMachineArn, string name, string input, CancellationToken cancellationToken = default)
    {
        object request = TraceHeaderOf(Activity.Current) is { } traceHeader
            ? new { stateMachineArn, name, input, traceHeader }
            : new { stateMachineArn, name, input };
        using var answer = await SendAsync("StartExecution", request, cancellationToken).ConfigureAwait(false);
        var root = answer.RootElement;
        return new StartedExecution(
            root.GetProperty("executionArn").GetString()!,
            root.TryGetProperty("startDate", out var start) && start.TryGetDouble(out var seconds) ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : DateTimeOffset.UtcNow);
    }

    /// <inheritdoc/>
    public async Task<ExecutionDescription> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default)
    {
        using var answer = await SendAsync("DescribeExecution", new { executionArn }, cancellationToken).ConfigureAwait(false);
        var root = answer.RootElement;
        return new ExecutionDescription(
            root.GetProperty("executionArn").GetString()!,
            root.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "",
            root.TryGetProperty("status", out var status) ? status.GetString() ?? "" : "",
            root.TryGetProperty("input", out var input) ? input.GetString() : null);
    }

    /// <summary>
    /// <paramref name="span"/>'s context in X-Ray's form, <c>Root=1-&lt;first 8 hex&gt;-&lt;last 24 hex&gt;;Parent=&lt;span id&gt;;Sampled=1</c>
    /// (the inverse of the X-Ray propagator's mapping); null without a recorded span.
    /// </summary>
    public static string? TraceHeaderOf(Activity? span)
    {
        if (span is not { Recorded: true })
        {
            return null;
        }

        var trace = span.TraceId.ToHexString();
        return $"Root=1-{trace[..8]}-{trace[8..]};Parent={span.SpanId.ToHexString()};Sampled=1";
    }

    private Task<JsonDocument> SendAsync(string action, object body, CancellationToken cancellationToken) =>
        aws.SendAsync(new AwsJsonRequest(endpoint, SigningService, region, $"AWSStepFunctions.{action}", "1.0", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body))), cancellationToken);
}
