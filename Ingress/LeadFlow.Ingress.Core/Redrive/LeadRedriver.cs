using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Status;
using LeadFlow.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Redrive;

public enum RedriveStatus
{
    /// <summary>The failed lead runs again, from its original event.</summary>
    Restarted,

    /// <summary>The lead is still running: left alone.</summary>
    StillRunning,

    /// <summary>The lead completed: re-running it is refused.</summary>
    RefusedCompleted,

    NotFound,
}

public sealed record RedriveOutcome(string WorkflowId, string? RunId, RedriveStatus Status, string Message);

/// <summary>
/// Re-runs a lead whose run failed, once its cause is fixed (CRM back, data corrected), with the
/// original event from the failed run's input. Reuse policy AllowDuplicateFailedOnly makes
/// Temporal itself refuse to re-run a completed lead.
/// </summary>
public sealed class LeadRedriver(TemporalClientSource temporal, ILogger<LeadRedriver>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<LeadRedriver>.Instance;

    /// <param name="leadId">An event id or a full workflow id.</param>
    /// <exception cref="TemporalUnavailableException">Temporal did not answer.</exception>
    public async Task<RedriveOutcome> RedriveAsync(string leadId, CancellationToken cancellationToken = default)
    {
        var client = await temporal.GetAsync(cancellationToken);
        var workflowId = LeadStatusReader.WorkflowIdOf(leadId);
        var rpc = new RpcOptions { Retry = true, Timeout = TimeSpan.FromSeconds(temporal.Options.RpcTimeoutSeconds), CancellationToken = cancellationToken };
        try
        {
            var handle = client.GetWorkflowHandle(workflowId);
            WorkflowExecutionDescription failed;
            try
            {
                failed = await handle.DescribeAsync(new WorkflowDescribeOptions { Rpc = rpc });
            }
            catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
            {
                return new RedriveOutcome(workflowId, null, RedriveStatus.NotFound, $"No lead {leadId} (workflow {workflowId}).");
            }

            switch (failed.Status)
            {
                case WorkflowExecutionStatus.Running or WorkflowExecutionStatus.ContinuedAsNew:
                    return new RedriveOutcome(workflowId, failed.RunId, RedriveStatus.StillRunning, $"Lead {workflowId} is still running (run {failed.RunId}); it is left alone.");
                case WorkflowExecutionStatus.Completed:
                    return new RedriveOutcome(workflowId, failed.RunId, RedriveStatus.RefusedCompleted,
                        $"Lead {workflowId} completed at {failed.CloseTime:u} (run {failed.RunId}); a completed lead cannot be re-run.");
            }

            var input = await OriginalInputAsync(client, client.GetWorkflowHandle(workflowId, runId: failed.RunId), rpc);
            var memo = failed.Memo.TryGetValue(LeadWorkflowStarter.ContentHashMemoKey, out var hash)
                ? new Dictionary<string, object> { [LeadWorkflowStarter.ContentHashMemoKey] = await hash.ToValueAsync<string>() }
                : null;
            var restarted = await client.StartWorkflowAsync(
                LeadWorkflowStarter.WorkflowType,
                input,
                new WorkflowOptions(workflowId, failed.TaskQueue ?? temporal.Options.TaskQueue)
                {
                    IdReusePolicy = WorkflowIdReusePolicy.AllowDuplicateFailedOnly,
                    IdConflictPolicy = WorkflowIdConflictPolicy.Fail,
                    Memo = memo,
                    StaticSummary = await failed.GetStaticSummaryAsync(),
                    Rpc = rpc,
                });
            _logger.LogInformation("Redrove {WorkflowId}: run {RunId} replaces failed run {FailedRunId} ({Status})", workflowId, restarted.ResultRunId, failed.RunId, failed.Status);
            return new RedriveOutcome(workflowId, restarted.ResultRunId, RedriveStatus.Restarted,
                $"Lead {workflowId} restarted as run {restarted.ResultRunId} (the {failed.Status} run was {failed.RunId}).");
        }
        catch (WorkflowAlreadyStartedException e)
        {
            // Another redrive or a redelivery got there first.
            return new RedriveOutcome(workflowId, e.RunId, RedriveStatus.StillRunning, $"Lead {workflowId} was started meanwhile (run {e.RunId}); it is left alone.");
        }
        catch (RpcException e) when (LeadWorkflowStarter.IsUnavailable(e))
        {
            throw new TemporalUnavailableException($"Temporal at {temporal.Options.Address} did not answer: {e.Message}", e);
        }
    }

    /// <summary>
    /// The failed run's start arguments exactly as given (the envelope, or a <see cref="LeadOnboardingInput"/> of an
    /// older run, and any options), decoded by the payload codec only: the new run reads them as the first did.
    /// </summary>
    private static async Task<IReadOnlyCollection<object?>> OriginalInputAsync(ITemporalClient client, WorkflowHandle handle, RpcOptions rpc)
    {
        var history = await handle.FetchHistoryAsync(new WorkflowHistoryEventFetchOptions { Rpc = rpc });
        var started = history.Events.First().WorkflowExecutionStartedEventAttributes
            ?? throw new InvalidOperationException($"The history of {handle.Id} does not begin with its start event");
        IReadOnlyCollection<Temporalio.Api.Common.V1.Payload> payloads = started.Input?.Payloads_ ?? [];
        if (client.Options.DataConverter.PayloadCodec is { } codec)
        {
            payloads = await codec.DecodeAsync(payloads);
        }

        return [.. payloads.Select(payload => (object?)new RawValue(payload))];
    }
}
