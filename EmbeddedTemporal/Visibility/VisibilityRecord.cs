using LeadFlow.EmbeddedTemporal.Executions;
using LeadFlow.EmbeddedTemporal.Visibility;
using Temporalio.Api.Enums.V1;
using Attributes = LeadFlow.EmbeddedTemporal.Visibility.SystemSearchAttributes;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>
/// The searchable values of one run: the system attributes from the run itself, the others decoded from its
/// search attributes with the declared type. Null means the run has no value. Callers hold the run's lock.
/// </summary>
internal readonly struct VisibilityRecord(WorkflowRun run)
{
    public object? Get(string column, IndexedValueType type) => column switch
    {
        Attributes.WorkflowId or Attributes.RootWorkflowId => run.WorkflowId,
        Attributes.RunId or Attributes.RootRunId => run.RunId,
        Attributes.WorkflowType => run.WorkflowType,
        Attributes.StartTime => run.StartTime,
        Attributes.ExecutionTime => run.ExecutionTime,
        Attributes.CloseTime => run.CloseTime,
        Attributes.ExecutionStatus => StatusName(run.Status),
        Attributes.TaskQueue => run.TaskQueue,
        Attributes.HistoryLength => run.History.LastEventId,
        Attributes.HistorySizeBytes => run.History.SizeBytes,
        Attributes.ExecutionDuration => run.CloseTime is { } closed ? (closed - run.ExecutionTime).Ticks * 100 : null,

        // This server starts no child workflows and keeps no state-transition count.
        Attributes.ParentWorkflowId or Attributes.ParentRunId or Attributes.StateTransitionCount => null,
        _ => run.SearchAttributes.IndexedFields.TryGetValue(column, out var payload) && SearchAttributeValues.TryDecode(payload, type, out var value) ? value : null,
    };

    /// <summary>The names the visibility store uses: Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut.</summary>
    public static string StatusName(WorkflowExecutionStatus status) => status switch
    {
        WorkflowExecutionStatus.Running => "Running",
        WorkflowExecutionStatus.Completed => "Completed",
        WorkflowExecutionStatus.Failed => "Failed",
        WorkflowExecutionStatus.Canceled => "Canceled",
        WorkflowExecutionStatus.Terminated => "Terminated",
        WorkflowExecutionStatus.ContinuedAsNew => "ContinuedAsNew",
        WorkflowExecutionStatus.TimedOut => "TimedOut",
        _ => "Unspecified",
    };

    /// <summary>A status in a query: "Running", "WORKFLOW_EXECUTION_STATUS_RUNNING" or its number, any case.</summary>
    public static string? ParseStatus(object literal)
    {
        foreach (var status in Enum.GetValues<WorkflowExecutionStatus>().Where(s => s != WorkflowExecutionStatus.Unspecified))
        {
            var name = StatusName(status);
            var matches = literal switch
            {
                long number => number == (long)status,
                string text => text.Equals(name, StringComparison.OrdinalIgnoreCase)
                    || text.Replace("_", string.Empty, StringComparison.Ordinal).Equals("WorkflowExecutionStatus" + name, StringComparison.OrdinalIgnoreCase),
                _ => false,
            };
            if (matches)
            {
                return name;
            }
        }

        return null;
    }
}
