using LeadFlow.Ingress.Starting;
using LeadFlow.Temporal.Encryption;
using LeadFlow.Workflows;
using Microsoft.Extensions.Options;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Status;

/// <summary>A lead as <c>GET /leads/{id}</c> shows it: Temporal's view of the run and the lead's own status. No personal data.</summary>
/// <param name="RunStatus">Temporal's run status: Running, Completed, Failed, Terminated, ...</param>
/// <param name="Lead">
/// The lead's step, outcome, CRM ids and error: the workflow's status query when a worker answered it (<paramref name="LeadSource"/>
/// <c>query</c>), else rebuilt from the run's history (<c>history</c>); null only when neither could be read.
/// </param>
/// <param name="LeadUnavailable">Why the status query was not used or not answered (no worker polling, the workflow task failing, a timeout); null when it answered.</param>
/// <param name="Explanation">What the Temporal server knows about the run without a worker, in one line (<see cref="RunExplanation.Text"/>).</param>
/// <param name="WorkerPolling">A worker polled the lead's workflow task queue recently; null when the server would not say.</param>
/// <param name="LeadSource"><c>query</c>, <c>history</c> or <c>none</c>: where <paramref name="Lead"/> came from.</param>
/// <param name="Attention">What a person must do for the lead to go on (<see cref="LeadAttention"/>), e.g. "CRM refuses our credentials: ..."; null when nothing.</param>
public sealed record LeadStatusView(
    string WorkflowId,
    string RunId,
    string RunStatus,
    DateTime StartedAt,
    DateTime? ClosedAt,
    LeadStatus? Lead,
    string? LeadUnavailable,
    string Explanation = "",
    bool? WorkerPolling = null,
    string LeadSource = "none",
    string? Attention = null);

/// <summary>
/// Reads a lead's status in about a second whether or not a worker runs. From what the server knows without a worker:
/// the run's description, the pollers of its workflow task queue (DescribeTaskQueue) and its history, which give
/// <see cref="LeadStatusView.Explanation"/> and a status rebuilt from the history (<see cref="LeadHistory"/>). The
/// workflow's status query, which only a worker can answer, is asked only when a worker polled recently and the
/// workflow task is not failing, with a short timeout (<see cref="LeadStatusOptions.QueryTimeout"/>).
/// </summary>
public sealed class LeadStatusReader(TemporalClientSource temporal, IOptions<LeadStatusOptions>? options = null)
{
    private readonly LeadStatusOptions _options = options?.Value ?? new LeadStatusOptions();

    /// <summary>An event id or a full workflow id (<c>lead-...</c>) to the workflow id.</summary>
    public static string WorkflowIdOf(string leadId) =>
        leadId.StartsWith(LeadWorkflowIds.ForEvent(""), StringComparison.Ordinal) ? leadId : LeadWorkflowIds.ForEvent(leadId);

    /// <returns>Null when there is no such lead.</returns>
    /// <exception cref="TemporalUnavailableException">Temporal did not answer.</exception>
    public async Task<LeadStatusView?> FindAsync(string leadId, CancellationToken cancellationToken = default)
    {
        var client = await temporal.GetAsync(cancellationToken);
        var rpc = new RpcOptions { Retry = true, Timeout = TimeSpan.FromSeconds(temporal.Options.RpcTimeoutSeconds), CancellationToken = cancellationToken };
        DescribeWorkflowExecutionResponse description;
        try
        {
            description = await client.WorkflowService.DescribeWorkflowExecutionAsync(
                new DescribeWorkflowExecutionRequest { Namespace = client.Options.Namespace, Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = WorkflowIdOf(leadId) } },
                rpc);
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException e) when (LeadWorkflowStarter.IsUnavailable(e))
        {
            throw Unavailable(e);
        }

        var run = description.WorkflowExecutionInfo;
        var taskQueue = description.ExecutionConfig?.TaskQueue?.Name ?? run.TaskQueue;
        var handle = client.GetWorkflowHandle<LeadOnboardingWorkflow>(run.Execution.WorkflowId, runId: run.Execution.RunId);
        IReadOnlyList<HistoryEvent> history;
        IReadOnlyList<PollerInfo>? pollers;
        try
        {
            var historyTask = handle.FetchHistoryAsync(new WorkflowHistoryEventFetchOptions { Rpc = rpc });
            pollers = await PollersAsync(client, taskQueue, rpc);
            history = [.. (await historyTask).Events];
        }
        catch (RpcException e) when (LeadWorkflowStarter.IsUnavailable(e))
        {
            throw Unavailable(e);
        }

        await DecodeFailuresAsync(client.Options.DataConverter, description, history);
        var explanation = RunExplanation.Explain(description, pollers, history, DateTime.UtcNow, _options.WorkerSeenWithin);
        var (lead, unavailable) = explanation switch
        {
            { WorkflowTaskFailing: true } => (null, "the status query was not asked: the workflow task is failing, so no worker can answer it"),
            { WorkerPolling: false } => (null, $"the status query was not asked: no worker is polling task queue {taskQueue}"),
            _ => await QueryAsync(handle, cancellationToken),
        };
        var source = lead is null ? "none" : "query";
        if (lead is null)
        {
            lead = await FromHistoryAsync(client, run.Execution.WorkflowId, history);
            source = lead is null ? "none" : "history";
        }

        return new LeadStatusView(
            run.Execution.WorkflowId,
            run.Execution.RunId,
            StatusName(run.Status),
            run.StartTime.ToDateTime(),
            run.CloseTime?.ToDateTime(),
            lead,
            unavailable,
            explanation.Text,
            explanation.WorkerPolling,
            source,
            run.Status == WorkflowExecutionStatus.Running ? LeadAttention.Of(description) : null);
    }

    /// <summary>
    /// The failures the explanation quotes, readable: with payload encryption their messages travel encrypted
    /// (<c>Encoded failure</c> on the server), so they are decoded here with the client's converter (<see cref="EncodedFailures"/>).
    /// </summary>
    private static async Task DecodeFailuresAsync(Temporalio.Converters.DataConverter converter, DescribeWorkflowExecutionResponse description, IReadOnlyList<HistoryEvent> history)
    {
        foreach (var pending in description.PendingActivities)
        {
            await EncodedFailures.DecodeInPlaceAsync(converter, pending.LastFailure);
        }

        foreach (var e in history)
        {
            await EncodedFailures.DecodeInPlaceAsync(converter, e.EventType switch
            {
                EventType.WorkflowTaskFailed => e.WorkflowTaskFailedEventAttributes.Failure,
                EventType.WorkflowExecutionFailed => e.WorkflowExecutionFailedEventAttributes.Failure,
                EventType.ActivityTaskFailed => e.ActivityTaskFailedEventAttributes.Failure,
                _ => null,
            });
        }
    }

    /// <summary>The status as the SDK names it (<c>Running</c>, <c>Completed</c>, ...), as this view always showed it.</summary>
    private static string StatusName(WorkflowExecutionStatus status) => status.ToString();

    /// <summary>The pollers of the workflow task queue; null when the server would not say (then the query is tried anyway).</summary>
    private static async Task<IReadOnlyList<PollerInfo>?> PollersAsync(ITemporalClient client, string taskQueue, RpcOptions rpc)
    {
        try
        {
            var response = await client.WorkflowService.DescribeTaskQueueAsync(
                new DescribeTaskQueueRequest
                {
                    Namespace = client.Options.Namespace,
                    TaskQueue = new TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
                    TaskQueueType = TaskQueueType.Workflow,
                },
                rpc);
            return response.Pollers;
        }
        catch (RpcException e) when (e.Code is RpcException.StatusCode.Unimplemented or RpcException.StatusCode.PermissionDenied)
        {
            return null;
        }
    }

    private async Task<(LeadStatus? Lead, string? Unavailable)> QueryAsync(WorkflowHandle<LeadOnboardingWorkflow> handle, CancellationToken cancellationToken)
    {
        // A query is answered by a worker, also for a closed run; a short deadline, since the server has answered the rest.
        var rpc = new RpcOptions { Retry = false, Timeout = _options.QueryTimeout, CancellationToken = cancellationToken };
        try
        {
            return (await handle.QueryAsync(wf => wf.GetStatus(), new WorkflowQueryOptions { Rpc = rpc }), null);
        }
        catch (Exception e) when (e is RpcException or WorkflowQueryFailedException or WorkflowQueryRejectedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"the status query was not answered within {_options.QueryTimeout.TotalSeconds:0.#} s ({FirstLine(e.Message)}); the status below is rebuilt from the run's history");
        }
    }

    private static async Task<LeadStatus?> FromHistoryAsync(ITemporalClient client, string workflowId, IReadOnlyList<HistoryEvent> history)
    {
        try
        {
            return await LeadHistory.ReadAsync(workflowId, history, client.Options.DataConverter);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            // A history this version cannot read (another workflow's, a future shape, or payloads encrypted with a key this
            // host lacks: the codec's errors are InvalidOperationExceptions): the explanation still says what is known.
            return null;
        }
    }

    private static string FirstLine(string message) => Leads.PersonalData.Redact(message.Split('\n', 2)[0].Trim());

    private TemporalUnavailableException Unavailable(RpcException e) =>
        new($"Temporal at {temporal.Options.Address} did not answer: {e.Message}", e);
}
