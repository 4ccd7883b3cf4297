using Google.Protobuf.WellKnownTypes;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.TaskQueues;

/// <summary>
/// DescribeTaskQueue in its classic form: the workers that polled the queue lately, for one task queue type
/// (the Web UI's Workers tab asks once for workflow and once for activity pollers). A queue nobody used has
/// no pollers; that is an answer, not an error, as on the real server.
/// </summary>
internal sealed class TaskQueueHandlers(ServerState state)
{
    /// <summary>The matching service's matching.PollerHistoryTTL.</summary>
    public static readonly TimeSpan PollerHistoryTtl = TimeSpan.FromMinutes(5);

    /// <summary>What the real server reports for a poller that set no rate limit.</summary>
    private const double DefaultRatePerSecond = 100_000;

    public void Register(RpcHandlerTable table) =>
        table.Add<DescribeTaskQueueRequest, DescribeTaskQueueResponse>(Describe);

    private DescribeTaskQueueResponse Describe(DescribeTaskQueueRequest request)
    {
        state.Namespaces.Require(request.Namespace);
        var name = request.TaskQueue?.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw RpcErrors.InvalidArgument("TaskQueue is not set on request.");
        }

        var pollers = request.TaskQueueType == TaskQueueType.Activity
            ? state.Queues.FindActivity(request.Namespace, name)?.RecentPollers(PollerHistoryTtl)
            : state.Queues.FindWorkflow(request.Namespace, name)?.RecentPollers(PollerHistoryTtl);
        var response = new DescribeTaskQueueResponse();
        foreach (var (identity, lastAccess) in pollers ?? [])
        {
            response.Pollers.Add(new PollerInfo { Identity = identity, LastAccessTime = Timestamp.FromDateTime(lastAccess), RatePerSecond = DefaultRatePerSecond });
        }

        return response;
    }
}
