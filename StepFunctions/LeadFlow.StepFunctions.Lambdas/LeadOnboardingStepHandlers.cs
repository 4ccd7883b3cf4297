using System.Diagnostics;
using System.Text.Json;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.Steps;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace LeadFlow.StepFunctions;

/// <summary>
/// The step Lambdas of the state machine, one public method per state, on the managed .NET runtime
/// (Stream in / Stream out, so no Lambda serializer package is needed). Handler strings:
/// <c>LeadFlow.StepFunctions.Lambdas::LeadFlow.StepFunctions.LeadOnboardingStepHandlers::CreateClientAsync</c>.
/// Each method runs the same host-agnostic step as the Temporal activity, with idempotency keys
/// of the same form (<see cref="IdempotencyKeys"/>: <c>lead-&lt;event id&gt;:&lt;execution name&gt;:&lt;step&gt;</c>, where Temporal
/// has its run id), and fails with a named Lambda error (<see cref="StepLambdaError"/>) that the definition's
/// Retry and Catch match, carrying the <see cref="StepFailure"/> the error step reads.
/// </summary>
public sealed partial class LeadOnboardingStepHandlers : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>The service name when <c>OTEL_SERVICE_NAME</c> is unset (each function is told apart by <c>faas.name</c>).</summary>
    public const string ServiceName = "leadflow-step-lambdas";

    /// <summary>The source of the span per invocation, named after the step (covered by the shared set-up's <c>LeadFlow.*</c>).</summary>
    public const string ActivitySourceName = "LeadFlow.StepFunctions";

    private static readonly ActivitySource Tracing = new(ActivitySourceName);
    private readonly ServiceProvider _services;
    private readonly ILogger _logger;
    private readonly LambdaTelemetry _telemetry;

    /// <summary>
    /// The runtime's constructor, once per Lambda instance: configuration from environment variables
    /// (<c>Crm__BaseUrl</c>, <c>Crm__Timeout</c>, <c>LeadEvents__Source</c>, ...), the CRM key read at start from the secret
    /// store (<c>Crm__ApiKeySecretArn</c>), never from an environment variable anyone with <c>lambda:GetFunctionConfiguration</c> reads.
    /// </summary>
    /// <exception cref="Aws.SecretSettingException">A secret could not be read (fails the Lambda's init, naming the setting and the ARN).</exception>
    public LeadOnboardingStepHandlers()
        : this(Aws.SecretSettings.FromLambdaEnvironment(new ConfigurationBuilder().AddEnvironmentVariables().Build()))
    {
    }

    /// <exception cref="OptionsValidationException">A setting is missing or wrong (fails the Lambda's init, with the variable's name).</exception>
    public LeadOnboardingStepHandlers(IConfiguration configuration)
        : this(configuration, configureTelemetry: null)
    {
    }

    /// <summary>As deployed, with a test's telemetry exporter and X-Ray header.</summary>
    /// <param name="configureTelemetry">Adds an exporter (the in-memory one) to the shared set-up; telemetry is on even without an endpoint then.</param>
    /// <param name="xrayHeader">The invocation's X-Ray header; null: <c>_X_AMZN_TRACE_ID</c>, as Lambda sets it per invocation.</param>
    /// <exception cref="OptionsValidationException">A setting is missing or wrong.</exception>
    public LeadOnboardingStepHandlers(IConfiguration configuration, Action<IOpenTelemetryBuilder>? configureTelemetry, Func<string?>? xrayHeader = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .AddConfiguration(configuration.GetSection("Logging"))
            // Lambda sends stdout to CloudWatch; one line per entry keeps entries whole.
            .AddSimpleConsole(console => console.SingleLine = true));
        services.AddLeadOnboardingSteps(configuration);

        // OTEL_EXPORTER_OTLP_ENDPOINT (e.g. the ADOT collector layer's http://localhost:4317): a span per step, its HTTP calls, metrics, logs.
        LambdaTelemetry.Register(services, configuration, ServiceName, configureTelemetry);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _telemetry = LambdaTelemetry.From(_services, xrayHeader);
        _services.GetService<IStartupValidator>()?.Validate();
        _logger = _services.GetRequiredService<ILoggerFactory>().CreateLogger<LeadOnboardingStepHandlers>();
    }

    /// <summary>In: <c>{"executionName", "event"}</c>. Out: <see cref="ReceivedLead"/>. Writes nothing.</summary>
    public Task<Stream> ReceiveLeadAsync(Stream input) =>
        RunAsync<ReceiveLeadRequest, ReceivedLead>(LeadOnboardingSteps.ReceiveLead, input, (services, request, _) =>
        {
            var eventJson = request.Event.ValueKind switch
            {
                JsonValueKind.String => request.Event.GetString(),
                JsonValueKind.Undefined => null,
                _ => request.Event.GetRawText(),
            };
            var lead = services.GetRequiredService<ReceiveLeadStep>().Receive(eventJson);
            return Task.FromResult(new ReceivedLead(StepFunctionsLeadIds.Resolve(request.Event, request.ExecutionName), lead));
        });

    /// <summary>In: <see cref="CreateStepRequest"/>. Out: <see cref="StepRecord"/>.</summary>
    public Task<Stream> CreateClientAsync(Stream input) => CreateAsync(CreateSteps.Client, input);

    /// <summary>In: <see cref="CreateStepRequest"/>. Out: <see cref="StepRecord"/>.</summary>
    public Task<Stream> CreatePartnerAsync(Stream input) => CreateAsync(CreateSteps.Partner, input);

    /// <summary>In: <see cref="CreateStepRequest"/>. Out: <see cref="StepRecord"/>.</summary>
    public Task<Stream> CreateBenefitAsync(Stream input) => CreateAsync(CreateSteps.Benefit, input);

    /// <summary>
    /// The optional NotifyBranch step. In: <see cref="CreateStepRequest"/>. Out: <see cref="StepRecord"/>, or <c>null</c> while
    /// <c>NotifyBranch__Enabled</c> is off (no CRM call).
    /// </summary>
    public Task<Stream> NotifyBranchAsync(Stream input) =>
        RunAsync<CreateStepRequest, StepRecord?>(LeadOnboardingSteps.NotifyBranch, input, (services, request, cancellationToken) =>
            services.GetRequiredService<NotifyBranchStep>().RunAsync(request.Lead, request.LeadId, request.RunId, cancellationToken));

    /// <summary>
    /// The compensating error step. In: <c>{"executionName", "executionId", "state"}</c> (the whole
    /// execution state). Out: <see cref="RecordedFailure"/>. Undoes by key every create up to and including the step
    /// whose Catch brought it here (<c>$.error.&lt;step&gt;</c>), also after <c>States.Timeout</c>, when the timed-out
    /// attempt may still commit: the backend serialises the undo with it, or refuses it when it arrives later.
    /// </summary>
    public Task<Stream> RecordFailureAsync(Stream input) =>
        RunAsync<RecordFailureRequest, RecordedFailure>(LeadOnboardingSteps.RecordFailure, input, async (services, request, cancellationToken) =>
        {
            var failure = ExecutionFailureReader.Read(request);
            var outcome = await services.GetRequiredService<RecordFailureStep>().RunAsync(failure, request.ExecutionName ?? failure.LeadId, cancellationToken);
            return new RecordedFailure(
                failure.LeadId,
                failure.FailedStep,
                failure.ErrorType,
                failure.Reason,
                failure.Summary,
                outcome.FailureId,
                outcome.Undone,
                outcome.Compensations ?? []);
        });

    /// <summary>Whether this instance exports telemetry (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, or a test's exporter).</summary>
    public bool ExportsTelemetry => _telemetry.Enabled;

    public void Dispose() => _services.Dispose();

    private Task<Stream> CreateAsync<TRequest>(CreateStep<TRequest> step, Stream input) =>
        RunAsync<CreateStepRequest, StepRecord>(step.Name, input, (services, request, cancellationToken) =>
            services.GetRequiredService<CreateStepRunner>().RunAsync(step, request.Lead, request.LeadId, request.RunId, cancellationToken));

    private async Task<Stream> RunAsync<TRequest, TResult>(
        string step,
        Stream input,
        Func<IServiceProvider, TRequest, CancellationToken, Task<TResult>> run)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await JsonSerializer.DeserializeAsync<TRequest>(input, Json)
            ?? throw new ArgumentException($"{step} needs a JSON object as input, got null", nameof(input));

        // Lambda stops an invocation at the function's timeout; there is no cancellation to honour here.
        var cancellationToken = CancellationToken.None;
        try
        {
            await using var scope = _services.CreateAsyncScope();
            // Continues the execution's X-Ray trace (Step Functions passes it to each Task's Lambda when tracing is on).
            using var span = _telemetry.StartInvocation(Tracing, step, trigger: "other", tags: [new(LeadFlowMetrics.StepAttribute, step)]);
            using var logScope = _logger.BeginScope(new Dictionary<string, object> { ["Step"] = step });
            return await RunStepAsync(step, scope.ServiceProvider, request, run, span, cancellationToken);
        }
        finally
        {
            // Lambda freezes the instance once the handler returns: export now (the span has ended), not on a timer.
            await _telemetry.FlushAsync();
        }
    }

    private async Task<Stream> RunStepAsync<TRequest, TResult>(
        string step, IServiceProvider services, TRequest request, Func<IServiceProvider, TRequest, CancellationToken, Task<TResult>> run, Activity? span, CancellationToken cancellationToken)
    {
        TResult result;
        var started = Stopwatch.GetTimestamp();
        try
        {
            result = await run(services, request, cancellationToken);
            LeadFlowMetrics.StepAttempt(step, Stopwatch.GetElapsedTime(started), errorType: null);
        }
        catch (LeadStepException failure) when (StepLambdaError.From(step, failure) is { } named)
        {
            LeadFlowMetrics.StepAttempt(step, Stopwatch.GetElapsedTime(started), named.ErrorType);
            if (failure is CrmUnauthorizedException)
            {
                // An operator must act: critical, with the fix in the message; the state machine retries every 5 minutes.
                LogCredentialsRefused(step, failure.Message);
            }
            else
            {
                LogStepFailed(step, named.ErrorType, failure.Retryable, failure.Message);
            }

            SpanFailure.Record(span, named.ErrorType);
            throw named;
        }

        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, result, Json, cancellationToken);
        output.Position = 0;
        return output;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "CrmUnauthorized: {Step} is waiting: {Reason}")]
    private partial void LogCredentialsRefused(string step, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Step} failed with {ErrorType} (retryable {Retryable}): {Reason}")]
    private partial void LogStepFailed(string step, string errorType, bool retryable, string reason);
}
