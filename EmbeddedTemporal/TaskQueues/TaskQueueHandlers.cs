using Google.Protobuf.WellKnownTypes;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.TaskQueues;

/// <summary>
/// DescribeTaskQueue in its default (legacy) mode, as the real frontend and matching service answer it: the pollers
/// that polled the queue within the poller-history TTL (5 minutes), each with its identity and last access time; an
/// unspecified task queue type means the workflow queue (service/frontend/workflow_handler.go). Enhanced mode, task
/// queue status and reachability are not modelled.
/// </summary>
internal sealed class TaskQueueHandlers(ServerState state)
{
    /// <summary>The real server's poller history TTL (service/matching/poller_history.go, pollerHistoryTTL).</summary>
    public static readonly TimeSpan PollerHistoryTtl = TimeSpan.FromMinutes(5);

    /// <summary>The rate the real server reports for a poller that set none (defaultTaskDispatchRPS).</summary>
    private const double DefaultTaskDispatchRps = 100_000;

    public void Register(RpcHandlerTable table) => table.Add<DescribeTaskQueueRequest, DescribeTaskQueueResponse>(Describe);

    private DescribeTaskQueueResponse Describe(DescribeTaskQueueRequest request)
    {
        state.Namespaces.Require(request.Namespace);
        var name = request.TaskQueue?.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw RpcErrors.InvalidArgument("TaskQueue is not set on request.");
        }

        var pollers = request.TaskQueueType == TaskQueueType.Activity
            ? state.Queues.Activity(request.Namespace, name).RecentPollers(PollerHistoryTtl)
            : state.Queues.Workflow(request.Namespace, name).RecentPollers(PollerHistoryTtl);
        var response = new DescribeTaskQueueResponse();
        foreach (var (identity, lastAccessTime) in pollers)
        {
            response.Pollers.Add(new PollerInfo
            {
                Identity = identity,
                LastAccessTime = Timestamp.FromDateTime(lastAccessTime),
                RatePerSecond = DefaultTaskDispatchRps,
            });
        }

        return response;
    }
}
