using Google.Protobuf;
using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using LeadFlow.Leads;
using LeadFlow.Steps;
using LeadFlow.Temporal.Tracing;
using LeadFlow.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.ErrorDetails.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Starting;

/// <summary>
/// The one place an event becomes a workflow start; the Lambda handler, the SQS poller and the
/// HTTP intake only adapt their transport to it. The workflow's input is the envelope itself, as a
/// JSON object (what <c>temporal workflow start --input @event.json</c> gives too), and the memo keeps
/// the delivery's content hash. The run's summary names the lead without personal data (<see cref="LeadSummary"/>), so
/// the Temporal Web UI's list reads "Alice C. · RUT 12******-5 · store ESTACION_CENTRAL · web", not bare ids. Idempotent: workflow id = <c>lead-&lt;event id&gt;</c>,
/// a running duplicate is returned as it is (conflict policy UseExisting), a closed one is not
/// re-run (reuse policy RejectDuplicate; redrive is the deliberate way to re-run a failed lead).
/// </summary>
public sealed class LeadWorkflowStarter(TemporalClientSource temporal, ILogger<LeadWorkflowStarter>? logger = null) : ILeadStarter
{
    /// <summary>Memo key holding <see cref="LeadEvent.ContentSha256"/> of the delivery that started the run.</summary>
    public const string ContentHashMemoKey = "contentSha256";

    private readonly ILogger _logger = logger ?? NullLogger<LeadWorkflowStarter>.Instance;

    /// <summary>Where the starts go (the SQS poller probes it while Temporal is unavailable).</summary>
    public TemporalClientSource Temporal => temporal;

    public static string WorkflowType { get; } = Temporalio.Workflows.WorkflowDefinition.Create(typeof(LeadOnboardingWorkflow)).Name ?? nameof(LeadOnboardingWorkflow);

    /// <exception cref="MalformedEnvelopeException">The bytes are not a usable envelope.</exception>
    /// <exception cref="TemporalUnavailableException">Nothing was started; keep the event.</exception>
    public Task<StartOutcome> StartAsync(ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default) =>
        StartAsync(EventEnvelopeReader.Read(envelope.Span), cancellationToken);

    /// <summary>
    /// Starts what one delivery from the bus carries: the envelope as it is, or the one inside an SNS notification
    /// (keyed by that inner event's id, so a redelivery is a duplicate). An SNS subscription or unsubscribe
    /// confirmation starts nothing: it is logged with its topic (and how to confirm) and reported as ignored.
    /// </summary>
    /// <exception cref="MalformedEnvelopeException">The bytes are neither an envelope nor an SNS notification around one.</exception>
    /// <exception cref="TemporalUnavailableException">Nothing was started; keep the delivery.</exception>
    public Task<DeliveryOutcome> StartDeliveryAsync(ReadOnlyMemory<byte> delivery, CancellationToken cancellationToken = default) =>
        StartAsync(BusDelivery.Read(delivery.Span), cancellationToken);

    /// <inheritdoc cref="StartDeliveryAsync"/>
    public Task<DeliveryOutcome> StartAsync(BusDelivery delivery, CancellationToken cancellationToken = default) =>
        BusDeliveries.StartAsync(this, delivery, _logger, cancellationToken);

    /// <exception cref="TemporalUnavailableException">Nothing was started; keep the event.</exception>
    public async Task<StartOutcome> StartAsync(LeadEvent leadEvent, CancellationToken cancellationToken = default)
    {
        var client = await temporal.GetAsync(cancellationToken);
        var workflowId = LeadWorkflowIds.ForEvent(leadEvent.EventId);

        // The raw call below skips the client's interceptors: the start's span and trace header are made here.
        using var span = TemporalTracingInterceptor.StartWorkflowSpan(WorkflowType, workflowId);
        var converter = client.Options.DataConverter;
        var request = new StartWorkflowExecutionRequest
        {
            Namespace = client.Options.Namespace,
            WorkflowId = workflowId,
            WorkflowType = new WorkflowType { Name = WorkflowType },
            TaskQueue = new TaskQueue { Name = temporal.Options.TaskQueue },
            // The envelope itself, as a JSON object: the workflow's input is the bus event (the Web UI shows it as such).
            Input = await EncodeAsync(converter, EnvelopeOf(leadEvent)),
            Identity = client.Connection.Options.Identity ?? "leadflow-ingress",
            RequestId = Guid.NewGuid().ToString(),
            WorkflowIdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
            WorkflowIdConflictPolicy = WorkflowIdConflictPolicy.UseExisting,
            Memo = new Memo { Fields = { [ContentHashMemoKey] = (await EncodeAsync(converter, leadEvent.ContentSha256)).Payloads_[0] } },
            // What StartWorkflowAsync's StaticSummary sends: the summary through the data converter (and its codec).
            UserMetadata = new Temporalio.Api.Sdk.V1.UserMetadata { Summary = (await EncodeAsync(converter, SummaryOf(leadEvent))).Payloads_[0] },
            Header = TemporalTracingInterceptor.HeaderFor(span),
        };

        // The raw call, not StartWorkflowAsync: only the response's Started flag tells a new run
        // from the running one that UseExisting handed back.
        string runId;
        bool started;
        try
        {
            var response = await client.WorkflowService.StartWorkflowExecutionAsync(request, RpcOptions(cancellationToken));
            (runId, started) = (response.RunId, response.Started);
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.AlreadyExists)
        {
            // RejectDuplicate: the lead's run is closed (completed, or failed and awaiting redrive).
            runId = AlreadyStartedRunId(e) ?? "";
            started = false;
        }
        catch (RpcException e) when (IsUnavailable(e))
        {
            TemporalTracingInterceptor.RecordFailure(span, e);
            throw Unavailable(e);
        }

        span?.SetTag("leadflow.start.status", started ? "started" : "duplicate");
        if (started)
        {
            LeadFlowMetrics.IngressStarted();
            _logger.LogInformation("Started {WorkflowId} (run {RunId}) for event {EventId}", workflowId, runId, leadEvent.EventId);
            return new StartOutcome(leadEvent.EventId, workflowId, runId, StartStatus.Started);
        }

        return await DuplicateAsync(client, leadEvent, workflowId, runId, cancellationToken);
    }

    private async Task<StartOutcome> DuplicateAsync(ITemporalClient client, LeadEvent leadEvent, string workflowId, string runId, CancellationToken cancellationToken)
    {
        WorkflowExecutionDescription description;
        try
        {
            description = await client.GetWorkflowHandle(workflowId, runId: runId.Length > 0 ? runId : null)
                .DescribeAsync(new WorkflowDescribeOptions { Rpc = RpcOptions(cancellationToken) });
        }
        catch (RpcException e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }

        var firstHash = description.Memo.TryGetValue(ContentHashMemoKey, out var memo) ? await memo.ToValueAsync<string>() : null;
        var differs = firstHash is not null && !string.Equals(firstHash, leadEvent.ContentSha256, StringComparison.Ordinal);
        if (differs)
        {
            _logger.LogWarning(
                "Event {EventId} arrived again with different content (sha256 {NewHash}, first was {FirstHash}); the first delivery wins and {WorkflowId} is left as it is",
                leadEvent.EventId, leadEvent.ContentSha256, firstHash, workflowId);
        }
        else
        {
            _logger.LogInformation("Event {EventId} is a duplicate of {WorkflowId} (run {RunId}, {Status})", leadEvent.EventId, workflowId, description.RunId, description.Status);
        }

        LeadFlowMetrics.IngressDuplicate();
        return new StartOutcome(leadEvent.EventId, workflowId, description.RunId, StartStatus.Duplicate, differs);
    }

    /// <summary>The run's summary: the lead named without personal data, read leniently from the envelope as delivered.</summary>
    public static string SummaryOf(LeadEvent leadEvent)
    {
        ArgumentNullException.ThrowIfNull(leadEvent);
        return $"Lead {LeadSummary.OfEnvelope(leadEvent.EnvelopeJson)}";
    }

    /// <summary>The envelope as a JSON value (a copy that outlives the parsed document).</summary>
    private static System.Text.Json.JsonElement EnvelopeOf(LeadEvent leadEvent)
    {
        using var document = System.Text.Json.JsonDocument.Parse(leadEvent.EnvelopeJson);
        return document.RootElement.Clone();
    }

    internal static async Task<Payloads> EncodeAsync(Temporalio.Converters.DataConverter converter, object value)
    {
        return new Payloads { Payloads_ = { await converter.ToPayloadAsync(value) } };
    }

    private static string? AlreadyStartedRunId(RpcException e)
    {
        var details = e.GrpcStatus.Value?.Details;
        var failure = details?.FirstOrDefault(d => d.Is(WorkflowExecutionAlreadyStartedFailure.Descriptor));
        return failure?.Unpack<WorkflowExecutionAlreadyStartedFailure>().RunId;
    }

    private RpcOptions RpcOptions(CancellationToken cancellationToken) =>
        new() { Retry = true, Timeout = TimeSpan.FromSeconds(temporal.Options.RpcTimeoutSeconds), CancellationToken = cancellationToken };

    internal static bool IsUnavailable(RpcException e) =>
        e.Code is RpcException.StatusCode.Unavailable or RpcException.StatusCode.DeadlineExceeded or RpcException.StatusCode.ResourceExhausted;

    private TemporalUnavailableException Unavailable(RpcException e) =>
        new($"Temporal at {temporal.Options.Address} did not accept the start ({e.Code}): {e.Message}", e);
}
