using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.Replication.V1;

namespace LeadFlow.EmbeddedTemporal.Namespaces;

/// <summary>Known namespaces. The dev server pre-registers <c>default</c>; more can be registered at run time.</summary>
internal sealed class NamespaceRegistry
{
    private readonly ConcurrentDictionary<string, NamespaceRecord> _namespaces = new(StringComparer.Ordinal);

    public NamespaceRegistry(IEnumerable<string> initial)
    {
        foreach (var name in initial)
        {
            Register(name, string.Empty, TimeSpan.FromDays(1));
        }
    }

    public IEnumerable<NamespaceRecord> All => _namespaces.Values.OrderBy(ns => ns.Name, StringComparer.Ordinal);

    public bool Register(string name, string description, TimeSpan retention) =>
        _namespaces.TryAdd(name, new NamespaceRecord(name, Guid.NewGuid().ToString(), description, retention));

    /// <summary>The namespace, or NotFound with NamespaceNotFoundFailure as the real frontend answers.</summary>
    public NamespaceRecord Require(string name) =>
        _namespaces.TryGetValue(name, out var record) ? record : throw RpcErrors.NamespaceNotFound(name);
}

/// <summary>A registered namespace.</summary>
internal sealed record NamespaceRecord(string Name, string Id, string Description, TimeSpan Retention)
{
    public NamespaceInfo Info => new()
    {
        Name = Name,
        Id = Id,
        Description = Description,
        State = NamespaceState.Registered,
        Capabilities = new NamespaceInfo.Types.Capabilities { EagerWorkflowStart = false, SyncUpdate = false, AsyncUpdate = false },
    };

    public NamespaceConfig Config => new()
    {
        WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(Retention),
        HistoryArchivalState = ArchivalState.Disabled,
        VisibilityArchivalState = ArchivalState.Disabled,
    };

    public NamespaceReplicationConfig Replication => new()
    {
        ActiveClusterName = "active",
        Clusters = { new ClusterReplicationConfig { ClusterName = "active" } },
        State = ReplicationState.Normal,
    };
}
