using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// GetWorkflowExecutionHistory with paging (next_page_token), the wait_new_event long poll and the close-event
/// filter. Waiting for the close event is how the SDK's GetResultAsync waits for a workflow.
/// </summary>
internal sealed class HistoryHandlers(ServerState state)
{
    private const int DefaultPageSize = 1000;

    public void Register(RpcHandlerTable table)
    {
        table.Add<GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse>(GetHistoryAsync);
        table.Add<GetWorkflowExecutionHistoryReverseRequest, GetWorkflowExecutionHistoryReverseResponse>(GetHistoryReverse);
    }

    /// <summary>Newest event first, paged backwards (the Web UI reads the end of long histories this way).</summary>
    private GetWorkflowExecutionHistoryReverseResponse GetHistoryReverse(GetWorkflowExecutionHistoryReverseRequest request)
    {
        state.Namespaces.Require(request.Namespace);
        var (runId, before) = DecodePageToken(request.NextPageToken);
        var run = runId is null
            ? state.Executions.Find(request.Namespace, request.Execution?.WorkflowId ?? string.Empty, request.Execution?.RunId)
            : state.Executions.FindByRunId(runId) ?? throw RpcErrors.InvalidArgument("Invalid NextPageToken.");
        var pageSize = request.MaximumPageSize > 0 ? request.MaximumPageSize : DefaultPageSize;
        lock (run.Gate)
        {
            var last = runId is null ? run.History.LastEventId : before - 1;
            var first = Math.Max(1, last - pageSize + 1);
            var events = run.History.Slice(first, (int)Math.Max(0, last - first + 1));
            events.Reverse();
            return new GetWorkflowExecutionHistoryReverseResponse
            {
                History = new History { Events = { events } },
                NextPageToken = first > 1 ? EncodePageToken(run.RunId, first) : ByteString.Empty,
            };
        }
    }

    private async Task<GetWorkflowExecutionHistoryResponse> GetHistoryAsync(GetWorkflowExecutionHistoryRequest request, ServerCallContext context)
    {
        state.Namespaces.Require(request.Namespace);
        var (runId, nextEventId) = DecodePageToken(request.NextPageToken);
        var run = runId is null
            ? state.Executions.Find(request.Namespace, request.Execution?.WorkflowId ?? string.Empty, request.Execution?.RunId)
            : state.Executions.FindByRunId(runId) ?? throw RpcErrors.InvalidArgument("Invalid NextPageToken.");
        var closeOnly = request.HistoryEventFilterType == HistoryEventFilterType.CloseEvent;
        var pageSize = request.MaximumPageSize > 0 ? request.MaximumPageSize : DefaultPageSize;

        using var poll = request.WaitNewEvent ? LongPoll.Start(state, context) : null;
        while (true)
        {
            Task changed;
            lock (run.Gate)
            {
                if (closeOnly && run.CloseEvent is { } closeEvent)
                {
                    return new GetWorkflowExecutionHistoryResponse { History = new History { Events = { closeEvent } } };
                }

                if (!closeOnly && run.History.LastEventId >= nextEventId)
                {
                    var events = run.History.Slice(nextEventId, pageSize);
                    var next = nextEventId + events.Count;
                    var more = next <= run.History.LastEventId || (request.WaitNewEvent && run.IsOpen);
                    return new GetWorkflowExecutionHistoryResponse
                    {
                        History = new History { Events = { events } },
                        NextPageToken = more ? EncodePageToken(run.RunId, next) : ByteString.Empty,
                    };
                }

                if (poll is null || !run.IsOpen)
                {
                    return new GetWorkflowExecutionHistoryResponse { History = new History() };
                }

                changed = run.History.Changed;
            }

            var waitStarted = Stopwatch.GetTimestamp();
            try
            {
                await changed.WaitAsync(poll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (poll.Token.IsCancellationRequested)
            {
                context.CancellationToken.ThrowIfCancellationRequested();

                // Nothing new before the long-poll timeout: an empty page with a token tells the client to ask again.
                return new GetWorkflowExecutionHistoryResponse { History = new History(), NextPageToken = EncodePageToken(run.RunId, nextEventId) };
            }
            finally
            {
                RpcCallTiming.Of(context)?.AddWaiting(waitStarted);
            }
        }
    }

    private static ByteString EncodePageToken(string runId, long nextEventId) =>
        ByteString.CopyFrom(Encoding.UTF8.GetBytes($"{runId}:{nextEventId}"));

    private static (string? RunId, long NextEventId) DecodePageToken(ByteString token)
    {
        if (token.IsEmpty)
        {
            return (null, 1);
        }

        var text = token.ToStringUtf8();
        var separator = text.LastIndexOf(':');
        return separator > 0 && long.TryParse(text[(separator + 1)..], out var next)
            ? (text[..separator], next)
            : throw RpcErrors.InvalidArgument("Invalid NextPageToken.");
    }
}
