using Temporalio.Api.Enums.V1;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>
/// The search attributes every namespace has, as the real server defines them
/// (temporalio/temporal common/searchattribute/sadefs/constants.go): system attributes are fields of the
/// execution itself, predefined ones live beside the custom ones, and names starting with "Temporal" or
/// naming either group are reserved (AddSearchAttributes refuses them).
/// </summary>
internal static class SystemSearchAttributes
{
    public const string WorkflowId = "WorkflowId";
    public const string RunId = "RunId";
    public const string WorkflowType = "WorkflowType";
    public const string StartTime = "StartTime";
    public const string ExecutionTime = "ExecutionTime";
    public const string CloseTime = "CloseTime";
    public const string ExecutionStatus = "ExecutionStatus";
    public const string TaskQueue = "TaskQueue";
    public const string HistoryLength = "HistoryLength";
    public const string HistorySizeBytes = "HistorySizeBytes";
    public const string ExecutionDuration = "ExecutionDuration";
    public const string StateTransitionCount = "StateTransitionCount";
    public const string ParentWorkflowId = "ParentWorkflowId";
    public const string ParentRunId = "ParentRunId";
    public const string RootWorkflowId = "RootWorkflowId";
    public const string RootRunId = "RootRunId";
    public const string TemporalNamespaceDivision = "TemporalNamespaceDivision";

    /// <summary>Prefix reserved for the server's own attributes.</summary>
    public const string ReservedPrefix = "Temporal";

    /// <summary>Attributes stored as fields of the execution (never in its SearchAttributes map).</summary>
    public static readonly IReadOnlyDictionary<string, IndexedValueType> System = new Dictionary<string, IndexedValueType>(StringComparer.Ordinal)
    {
        [WorkflowId] = IndexedValueType.Keyword,
        [RunId] = IndexedValueType.Keyword,
        [WorkflowType] = IndexedValueType.Keyword,
        [StartTime] = IndexedValueType.Datetime,
        [ExecutionTime] = IndexedValueType.Datetime,
        [CloseTime] = IndexedValueType.Datetime,
        [ExecutionStatus] = IndexedValueType.Keyword,
        [TaskQueue] = IndexedValueType.Keyword,
        [HistoryLength] = IndexedValueType.Int,
        [ExecutionDuration] = IndexedValueType.Int,
        [StateTransitionCount] = IndexedValueType.Int,
        [HistorySizeBytes] = IndexedValueType.Int,
        [ParentWorkflowId] = IndexedValueType.Keyword,
        [ParentRunId] = IndexedValueType.Keyword,
        [RootWorkflowId] = IndexedValueType.Keyword,
        [RootRunId] = IndexedValueType.Keyword,
    };

    /// <summary>Server-owned attributes kept in the SearchAttributes map beside the custom ones.</summary>
    public static readonly IReadOnlyDictionary<string, IndexedValueType> Predefined = new Dictionary<string, IndexedValueType>(StringComparer.Ordinal)
    {
        ["TemporalChangeVersion"] = IndexedValueType.KeywordList,
        ["BinaryChecksums"] = IndexedValueType.KeywordList,
        ["BuildIds"] = IndexedValueType.KeywordList,
        ["BatcherNamespace"] = IndexedValueType.Keyword,
        ["BatcherUser"] = IndexedValueType.Keyword,
        ["TemporalScheduledStartTime"] = IndexedValueType.Datetime,
        ["TemporalScheduledById"] = IndexedValueType.Keyword,
        ["TemporalSchedulePaused"] = IndexedValueType.Bool,
        [TemporalNamespaceDivision] = IndexedValueType.Keyword,
        ["TemporalPauseInfo"] = IndexedValueType.KeywordList,
        ["TemporalReportedProblems"] = IndexedValueType.KeywordList,
        ["TemporalWorkerDeploymentVersion"] = IndexedValueType.Keyword,
        ["TemporalWorkflowVersioningBehavior"] = IndexedValueType.Keyword,
        ["TemporalWorkerDeployment"] = IndexedValueType.Keyword,
        ["TemporalUsedWorkerDeploymentVersions"] = IndexedValueType.KeywordList,
    };

    private static readonly HashSet<string> ReservedFields = new(StringComparer.Ordinal) { "NamespaceId", "MemoEncoding", "Memo", "VisibilityTaskKey" };

    /// <summary>Whether a custom attribute may not take this name (sadefs.IsReserved).</summary>
    public static bool IsReserved(string name) =>
        System.ContainsKey(name) || Predefined.ContainsKey(name) || ReservedFields.Contains(name)
        || name.StartsWith(ReservedPrefix, StringComparison.Ordinal);

    /// <summary>"Keyword", "Int", ...: the names the server writes into a payload's <c>type</c> metadata.</summary>
    public static string TypeName(IndexedValueType type) => type switch
    {
        IndexedValueType.Text => "Text",
        IndexedValueType.Keyword => "Keyword",
        IndexedValueType.Int => "Int",
        IndexedValueType.Double => "Double",
        IndexedValueType.Bool => "Bool",
        IndexedValueType.Datetime => "Datetime",
        IndexedValueType.KeywordList => "KeywordList",
        _ => "Unspecified",
    };
}
