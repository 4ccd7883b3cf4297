using System.Diagnostics;
using System.Text.Json;
using LeadFlow.Aws;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using LeadFlow.Steps;
using LeadFlow.Temporal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;

namespace LeadFlow.Ingress.Lambda;

/// <summary>
/// The EventBridge rule target on AWS Lambda (managed .NET runtime, Stream in / Stream out):
/// handler <c>LeadFlow.Ingress.Lambda::LeadFlow.Ingress.Lambda.LeadEventFunction::HandleAsync</c>.
/// It starts each event's lead on the orchestrator <c>Ingress__Target</c> names: the Temporal workflow
/// <c>lead-&lt;event id&gt;</c>, or the Step Functions execution named after the event id (<see cref="StepFunctionsLeadStarter"/>),
/// so a redelivered event is a duplicate on both. It also takes the event of an SNS subscription
/// (<c>{"Records":[{"EventSource":"aws:sns","Sns":{...}}]}</c>, https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html)
/// or an SNS notification, unwrapping the envelope and keying the lead by its id; an SNS subscription confirmation is
/// logged and ignored. It throws whenever the event was not started (orchestrator unreachable, malformed envelope) so
/// Lambda's async retries and the rule's dead-letter queue keep the event.
/// Triggered by an SQS queue instead (the template's TemporalLambda target: rule -> queue -> this function, with
/// <c>ReportBatchItemFailures</c>), it takes the batch event and answers the messages to keep (<see cref="SqsBatchHandler"/>):
/// while the orchestrator is unavailable they wait in the queue with a growing visibility timeout, poison messages go
/// to the poison queue; it throws for no message.
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set it exports a span per invocation (with the workflow start or Step Functions
/// call under it), the ingress metrics and its logs, flushed before each invocation returns (<see cref="LambdaTelemetry"/>).
/// </summary>
public sealed class LeadEventFunction
{
    /// <summary>The service name when <c>OTEL_SERVICE_NAME</c> is unset.</summary>
    public const string ServiceName = "leadflow-ingress-lambda";

    /// <summary>The source of the span per invocation (covered by the shared set-up's <c>LeadFlow.*</c>).</summary>
    public const string ActivitySourceName = "LeadFlow.Ingress.Lambda";

    private static readonly ActivitySource Tracing = new(ActivitySourceName);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ILeadStarter _starter;
    private readonly ILogger _logger;
    private readonly SqsBatchHandler _batches;
    private readonly LambdaTelemetry? _telemetry;
    private readonly string _spanName = "LeadEventFunction";

    /// <summary>
    /// The runtime's constructor: configuration from environment variables (<c>Ingress__Target</c>, <c>Temporal__Address</c>,
    /// ...), secrets (<c>Temporal__ApiKeySecretArn</c>, ...) read from Secrets Manager or SSM with the function's role.
    /// </summary>
    public LeadEventFunction()
        : this(SecretSettings.FromLambdaEnvironment(new ConfigurationBuilder().AddEnvironmentVariables().Build()))
    {
    }

    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">
    /// A setting is wrong: <c>Ingress__*</c>, or <c>Temporal__*</c> with the Temporal target (fails the Lambda's init, naming the variable and the rule).
    /// </exception>
    public LeadEventFunction(IConfiguration configuration, ILoggerFactory? loggerFactory = null, HttpClient? http = null)
        : this(configuration, loggerFactory, http, configureTelemetry: null)
    {
    }

    /// <summary>As deployed, with a test's telemetry exporter and X-Ray header.</summary>
    /// <param name="loggerFactory">Where its logs go; null: the console and, with telemetry on, OTLP.</param>
    /// <param name="http">The HTTP client of its AWS calls; null: its own.</param>
    /// <param name="configureTelemetry">Adds an exporter (the in-memory one) to the shared set-up; telemetry is on even without an endpoint then.</param>
    /// <param name="xrayHeader">The invocation's X-Ray header; null: <c>_X_AMZN_TRACE_ID</c>, as Lambda sets it per invocation.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is wrong.</exception>
    public LeadEventFunction(IConfiguration configuration, ILoggerFactory? loggerFactory, HttpClient? http, Action<IOpenTelemetryBuilder>? configureTelemetry, Func<string?>? xrayHeader = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var services = new ServiceCollection();
        // Lambda sends stdout to CloudWatch; one line per entry keeps entries whole.
        services.AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        LambdaTelemetry.Register(services, configuration, ServiceName, configureTelemetry);
        var provider = services.BuildServiceProvider();
        _telemetry = LambdaTelemetry.From(provider, xrayHeader);
        _spanName = configuration["AWS_LAMBDA_FUNCTION_NAME"] is { Length: > 0 } function ? function : _spanName;
        loggerFactory ??= provider.GetRequiredService<ILoggerFactory>();
        var starter = LeadStarterOptions.Bind(configuration);
        _starter = starter.Target switch
        {
            LeadStarterTarget.StepFunctions => new StepFunctionsLeadStarter(
                new StepFunctionsHttpClient(
                    new AwsJsonClient(http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, AwsCredentials.From(configuration)),
                    starter.StepFunctions.Endpoint,
                    starter.StepFunctions.Region!),
                starter.StepFunctions,
                loggerFactory.CreateLogger<StepFunctionsLeadStarter>()),
            _ => new LeadWorkflowStarter(new TemporalClientSource(TemporalOptions.Bind(configuration), loggerFactory), loggerFactory.CreateLogger<LeadWorkflowStarter>()),
        };
        _logger = loggerFactory.CreateLogger<LeadEventFunction>();
        var queue = QueueBatchOptions.Bind(configuration);
        // Lambda always sets the role's credentials; without them (a local run of the direct shape) batches cannot change visibility.
        ISqsClient? sqs = string.IsNullOrEmpty(configuration["AWS_ACCESS_KEY_ID"])
            ? null
            : new SqsHttpClient(new AwsJsonClient(http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, AwsCredentials.From(configuration)), queue.Endpoint, queue.SigningRegion);
        _batches = new SqsBatchHandler(_starter, sqs, queue, loggerFactory.CreateLogger<SqsBatchHandler>());
    }

    /// <param name="sqs">For SQS batches: visibility changes and the poison queue; null: neither (messages are only reported).</param>
    public LeadEventFunction(ILeadStarter starter, ILogger<LeadEventFunction> logger, ISqsClient? sqs = null, QueueBatchOptions? queue = null)
    {
        _starter = starter;
        _logger = logger;
        _batches = new SqsBatchHandler(starter, sqs, queue ?? new QueueBatchOptions(), logger);
    }

    /// <summary>The Lambda entry point. Not overloaded on purpose: the managed runtime refuses a handler name with overloads.</summary>
    public Task<Stream> HandleAsync(Stream input) => InvokeAsync(input, CancellationToken.None);

    /// <returns>
    /// For an SQS batch: <c>{"batchItemFailures":[{"itemIdentifier":"&lt;messageId&gt;"}]}</c>, the messages that stay in the queue.
    /// Otherwise JSON <c>{"eventId","workflowId","runId","status"}</c>, with <c>status</c> <c>Started</c>, <c>Duplicate</c> or, for
    /// an SNS confirmation, <c>Ignored</c> (and <c>snsType</c>, <c>topicArn</c>); for an SNS event of several records, an
    /// array of those, in order.
    /// </returns>
    /// <exception cref="MalformedEnvelopeException">Logged with the reason; the DLQ keeps the event.</exception>
    /// <exception cref="TemporalUnavailableException">Lambda retries, then the DLQ keeps the event.</exception>
    /// <exception cref="OrchestratorUnavailableException">Step Functions did not take the start: Lambda retries, then the DLQ keeps the event.</exception>
    public async Task<Stream> InvokeAsync(Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_telemetry is null)
        {
            return await InvokeCoreAsync(input, span: null, cancellationToken);
        }

        try
        {
            // Continues the X-Ray trace of the rule's delivery when X-Ray sampled it (LambdaTelemetry.StartInvocation).
            using var span = _telemetry.StartInvocation(Tracing, _spanName, trigger: "pubsub");
            return await InvokeCoreAsync(input, span, cancellationToken);
        }
        finally
        {
            // Lambda freezes the instance once the handler returns: export now (the span has ended), not on a timer.
            await _telemetry.FlushAsync();
        }
    }

    private async Task<Stream> InvokeCoreAsync(Stream input, Activity? span, CancellationToken cancellationToken)
    {
        var outcomes = new List<object>();
        try
        {
            var payload = await ReadLimitedAsync(input, cancellationToken);
            if (SqsBatchEvent.TryRead(payload.Span) is { } records)
            {
                var failures = await _batches.HandleAsync(records, cancellationToken);
                return await JsonAsync(new { BatchItemFailures = failures.Select(id => new { ItemIdentifier = id }) }, cancellationToken);
            }

            foreach (var delivery in BusDelivery.ReadLambdaPayload(payload.Span))
            {
                var outcome = await _starter.StartAsync(delivery, cancellationToken);
                outcomes.Add(outcome.Start is { } start
                    ? new { start.EventId, start.WorkflowId, start.RunId, Status = start.Status.ToString() }
                    : new { Status = "Ignored", SnsType = outcome.Ignored!.Type, outcome.Ignored.TopicArn });
            }
        }
        catch (Exception e) when (Failed(span, e))
        {
            throw;
        }
        catch (MalformedEnvelopeException e)
        {
            _logger.LogError("Refused a malformed envelope ({Field}): {Reason}", e.Field, e.Reason);
            throw;
        }
        catch (TemporalUnavailableException e)
        {
            _logger.LogError(e, "Temporal unavailable; the event is left to Lambda's retries and the dead-letter queue");
            throw;
        }
        catch (OrchestratorUnavailableException e)
        {
            _logger.LogError(e, "Step Functions did not take the start; the event is left to Lambda's retries and the dead-letter queue");
            throw;
        }

        return await JsonAsync(outcomes.Count == 1 ? outcomes[0] : outcomes, cancellationToken);
    }

    /// <summary>Marks the invocation's span as failed; false, so the exception goes on to its handler.</summary>
    private static bool Failed(Activity? span, Exception exception)
    {
        SpanFailure.Record(span, exception is INamedLambdaError { ErrorType: { Length: > 0 } named } ? named : exception.GetType().Name);
        return false;
    }

    private static async Task<Stream> JsonAsync(object value, CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, value, Json, cancellationToken);
        output.Position = 0;
        return output;
    }

    /// <summary>The largest payload a synchronous invocation may carry (Lambda's 6 MB): an SQS batch of up to ten messages.</summary>
    private const int MaxPayloadBytes = 6 * 1024 * 1024;

    private static async Task<ReadOnlyMemory<byte>> ReadLimitedAsync(Stream input, CancellationToken cancellationToken)
    {
        // One byte over the limit is enough to refuse; never buffer an unbounded payload.
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while (buffer.Length <= MaxPayloadBytes && (read = await input.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        var payload = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        // An SQS batch holds up to ten deliveries; anything else is one.
        if (buffer.Length > MaxPayloadBytes || (buffer.Length > BusDelivery.MaxDeliveryBytes && SqsBatchEvent.TryRead(payload.Span) is null))
        {
            throw new MalformedEnvelopeException("envelope", $"is over the {BusDelivery.MaxDeliveryBytes} byte limit of one delivery", tooLarge: true);
        }

        return payload;
    }
}
