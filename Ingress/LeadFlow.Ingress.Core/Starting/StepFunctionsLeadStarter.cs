using System.Text.Json.Nodes;
using LeadFlow.Aws;
using LeadFlow.Ingress.Events;
using LeadFlow.Steps;
using LeadFlow.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeadFlow.Ingress.Starting;

/// <summary>
/// Starts the lead-onboarding state machine for an event, as the ingress Lambda does when <c>Ingress__Target</c> is
/// <c>StepFunctions</c> (an EventBridge rule cannot name the executions it starts, so a redelivered event would run
/// twice). The execution is named after the event id (<see cref="StepFunctionsExecutionNames"/>) and its input is
/// <c>{"event": &lt;envelope&gt;}</c>, where the definition reads it. StartExecution is idempotent on the name: the same
/// name and input while the first runs answers the first execution; a closed one (or other input) answers
/// <c>ExecutionAlreadyExists</c>, which here is a duplicate, not an error
/// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html). The CRM keys of its steps
/// are <c>lead-&lt;event id&gt;:&lt;execution name&gt;:&lt;step&gt;</c>.
/// </summary>
public sealed class StepFunctionsLeadStarter(IStepFunctionsClient stepFunctions, StepFunctionsStarterOptions options, ILogger<StepFunctionsLeadStarter>? logger = null, TimeProvider? clock = null)
    : ILeadStarter
{
    /// <summary>
    /// A start answered with an execution that began this long before the call is a repeat of a running execution
    /// (reported <see cref="StartStatus.Duplicate"/>). A repeat within this second is answered the same way by Step
    /// Functions but reported <see cref="StartStatus.Started"/>: its answer cannot be told from the first one's.
    /// </summary>
    private static readonly TimeSpan RepeatTolerance = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = logger ?? NullLogger<StepFunctionsLeadStarter>.Instance;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The execution input for an event: <c>{"event": &lt;the envelope as received&gt;}</c>, the same text for the same delivery.</summary>
    public static string InputOf(LeadEvent leadEvent)
    {
        ArgumentNullException.ThrowIfNull(leadEvent);
        return new JsonObject { ["event"] = JsonNode.Parse(leadEvent.EnvelopeJson) }.ToJsonString();
    }

    /// <summary>The ARN of the execution called <paramref name="name"/> of the state machine <paramref name="stateMachineArn"/>.</summary>
    public static string ExecutionArnOf(string stateMachineArn, string name)
    {
        ArgumentNullException.ThrowIfNull(stateMachineArn);
        return $"{stateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}:{name}";
    }

    /// <inheritdoc/>
    public Task<DeliveryOutcome> StartAsync(BusDelivery delivery, CancellationToken cancellationToken = default) =>
        BusDeliveries.StartAsync(this, delivery, _logger, cancellationToken);

    /// <inheritdoc/>
    public async Task<StartOutcome> StartAsync(LeadEvent leadEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leadEvent);
        var name = StepFunctionsExecutionNames.For(leadEvent.EventId);
        var leadId = LeadWorkflowIds.ForEvent(leadEvent.EventId);
        var input = InputOf(leadEvent);
        var machine = options.StateMachineArn!;
        var calledAt = _clock.GetUtcNow();
        try
        {
            var started = await stepFunctions.StartExecutionAsync(machine, name, input, cancellationToken);
            if (started.StartDate < calledAt - RepeatTolerance)
            {
                _logger.LogInformation("Event {EventId} is a duplicate of the running execution {ExecutionName} ({LeadId})", leadEvent.EventId, name, leadId);
                LeadFlowMetrics.IngressDuplicate();
                return new StartOutcome(leadEvent.EventId, leadId, name, StartStatus.Duplicate);
            }

            _logger.LogInformation("Started execution {ExecutionName} ({LeadId}) for event {EventId}", name, leadId, leadEvent.EventId);
            LeadFlowMetrics.IngressStarted();
            return new StartOutcome(leadEvent.EventId, leadId, name, StartStatus.Started);
        }
        catch (AwsRequestException e) when (e.ErrorCode == "ExecutionAlreadyExists")
        {
            return await DuplicateAsync(leadEvent, machine, name, leadId, input, cancellationToken);
        }
        catch (AwsRequestException e)
        {
            throw new OrchestratorUnavailableException(
                $"Step Functions did not start {name} on {machine} ({e.ErrorCode}{(e.Retryable ? ", retryable" : "")}): {e.Reason}", e);
        }
    }

    private async Task<StartOutcome> DuplicateAsync(LeadEvent leadEvent, string machine, string name, string leadId, string input, CancellationToken cancellationToken)
    {
        var differs = false;
        try
        {
            var existing = await stepFunctions.DescribeExecutionAsync(ExecutionArnOf(machine, name), cancellationToken);
            differs = existing.Input is not null && !string.Equals(existing.Input, input, StringComparison.Ordinal);
            if (differs)
            {
                _logger.LogWarning(
                    "Event {EventId} arrived again with different content (sha256 {NewHash}); the first delivery wins and execution {ExecutionName} ({Status}) is left as it is",
                    leadEvent.EventId, leadEvent.ContentSha256, name, existing.Status);
            }
            else
            {
                _logger.LogInformation("Event {EventId} is a duplicate of execution {ExecutionName} ({Status})", leadEvent.EventId, name, existing.Status);
            }
        }
        catch (AwsRequestException e)
        {
            // Describing is only for the log: the name alone already proves the event was started once.
            _logger.LogInformation("Event {EventId} is a duplicate of execution {ExecutionName} (not described: {Error})", leadEvent.EventId, name, e.ErrorCode);
        }

        LeadFlowMetrics.IngressDuplicate();
        return new StartOutcome(leadEvent.EventId, leadId, name, StartStatus.Duplicate, differs);
    }
}
