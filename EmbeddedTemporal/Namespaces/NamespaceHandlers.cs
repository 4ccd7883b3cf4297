using Grpc.Core;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.EmbeddedTemporal.Namespaces;

/// <summary>GetSystemInfo (called by every client on connect) and the namespace calls (DescribeNamespace is called at worker start).</summary>
internal sealed class NamespaceHandlers(ServerState state)
{
    public const string ServerVersion = "1.27.0-embedded";

    public void Register(RpcHandlerTable table)
    {
        table.Add<GetSystemInfoRequest, GetSystemInfoResponse>(GetSystemInfo);
        table.Add<DescribeNamespaceRequest, DescribeNamespaceResponse>(DescribeNamespace);
        table.Add<RegisterNamespaceRequest, RegisterNamespaceResponse>(RegisterNamespace);
        table.Add<ListNamespacesRequest, ListNamespacesResponse>(ListNamespaces);
        table.Add<UpdateNamespaceRequest, UpdateNamespaceResponse>(UpdateNamespace);
        table.Add<GetClusterInfoRequest, GetClusterInfoResponse>(GetClusterInfo);
    }

    private static GetSystemInfoResponse GetSystemInfo(GetSystemInfoRequest request) => new()
    {
        ServerVersion = ServerVersion,
        Capabilities = new GetSystemInfoResponse.Types.Capabilities
        {
            // The SDK reads these to decide what it may send; sdk_metadata makes it send the flags that
            // this server stores on WorkflowTaskCompleted and returns in later histories.
            SignalAndQueryHeader = true,
            InternalErrorDifferentiation = true,
            ActivityFailureIncludeHeartbeat = true,
            EncodedFailureAttributes = true,
            UpsertMemo = true,
            SdkMetadata = true,
            CountGroupByExecutionStatus = true,
            SupportsSchedules = false,
            EagerWorkflowStart = false,
            BuildIdBasedVersioning = false,
            Nexus = false,
        },
    };

    private DescribeNamespaceResponse DescribeNamespace(DescribeNamespaceRequest request)
    {
        var name = string.IsNullOrEmpty(request.Namespace) ? request.Id : request.Namespace;
        var record = string.IsNullOrEmpty(request.Namespace)
            ? state.Namespaces.All.FirstOrDefault(ns => ns.Id == request.Id) ?? throw RpcErrors.NamespaceNotFound(name)
            : state.Namespaces.Require(name);
        return new DescribeNamespaceResponse
        {
            NamespaceInfo = record.Info,
            Config = record.Config,
            ReplicationConfig = record.Replication,
            IsGlobalNamespace = false,
        };
    }

    private RegisterNamespaceResponse RegisterNamespace(RegisterNamespaceRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Namespace))
        {
            throw RpcErrors.InvalidArgument("Namespace is not set on request.");
        }

        var retention = request.WorkflowExecutionRetentionPeriod is { } period ? ValidRetention(period) : state.Options.DefaultRetention;
        return state.Namespaces.Register(request.Namespace, request.Description, retention)
            ? new RegisterNamespaceResponse()
            : throw RpcErrors.NamespaceAlreadyExists(request.Namespace);
    }

    /// <summary>Description and retention can change; the new retention applies to runs that close from now on.</summary>
    private UpdateNamespaceResponse UpdateNamespace(UpdateNamespaceRequest request)
    {
        var record = state.Namespaces.Require(request.Namespace);
        if (request.UpdateInfo is { } info && !string.IsNullOrEmpty(info.Description))
        {
            record.Description = info.Description;
        }

        if (request.Config?.WorkflowExecutionRetentionTtl is { } ttl)
        {
            record.Retention = ValidRetention(ttl);
        }

        return new UpdateNamespaceResponse { NamespaceInfo = record.Info, Config = record.Config, ReplicationConfig = record.Replication, IsGlobalNamespace = false };
    }

    private static TimeSpan ValidRetention(Google.Protobuf.WellKnownTypes.Duration period) =>
        period.ToTimeSpan() is var retention && retention > TimeSpan.Zero
            ? retention
            : throw RpcErrors.InvalidArgument("A valid retention period is not set on request.");

    private ListNamespacesResponse ListNamespaces(ListNamespacesRequest request)
    {
        var response = new ListNamespacesResponse();
        foreach (var record in state.Namespaces.All)
        {
            response.Namespaces.Add(new DescribeNamespaceResponse { NamespaceInfo = record.Info, Config = record.Config, ReplicationConfig = record.Replication });
        }

        return response;
    }

    private static GetClusterInfoResponse GetClusterInfo(GetClusterInfoRequest request) => new()
    {
        ClusterName = "active",
        ClusterId = "embedded",
        ServerVersion = ServerVersion,
        HistoryShardCount = 1,
        PersistenceStore = "in-memory",
        VisibilityStore = "in-memory",
    };
}
