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

    public NamespaceRegistry(EmbeddedTemporalOptions options)
    {
        foreach (var name in options.Namespaces)
        {
            Register(name, string.Empty, options.RetentionOf(name));
        }
    }

    public IEnumerable<NamespaceRecord> All => _namespaces.Values.OrderBy(ns => ns.Name, StringComparer.Ordinal);

    public bool Register(string name, string description, TimeSpan retention) =>
        _namespaces.TryAdd(name, new NamespaceRecord(name, Guid.NewGuid().ToString(), description, retention));

    /// <summary>The namespace, or NotFound with NamespaceNotFoundFailure as the real frontend answers.</summary>
    public NamespaceRecord Require(string name) =>
        _namespaces.TryGetValue(name, out var record) ? record : throw RpcErrors.NamespaceNotFound(name);
}

/// <summary>A registered namespace: its retention and its custom search attributes can change at run time.</summary>
internal sealed class NamespaceRecord(string name, string id, string description, TimeSpan retention)
{
    public string Name { get; } = name;

    public string Id { get; } = id;

    public string Description { get; set; } = description;

    /// <summary>How long a closed run is kept before it is deleted (workflow_execution_retention_ttl).</summary>
    public TimeSpan Retention { get; set; } = retention;

    /// <summary>Custom search attributes registered with OperatorService.AddSearchAttributes, by name.</summary>
    public ConcurrentDictionary<string, IndexedValueType> CustomSearchAttributes { get; } = new(StringComparer.Ordinal);

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
