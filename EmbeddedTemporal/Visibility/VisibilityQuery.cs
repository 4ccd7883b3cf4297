using System.Text.RegularExpressions;
using LeadFlow.EmbeddedTemporal.Executions;
using LeadFlow.EmbeddedTemporal.Grpc;
using Temporalio.Api.Enums.V1;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>
/// A subset of the visibility list filter syntax: conditions joined by AND, each
/// <c>Field = 'value'</c>, <c>Field != 'value'</c> or <c>Field IN ('a', 'b')</c>, on WorkflowId, WorkflowType,
/// ExecutionStatus, RunId and TaskQueue. Anything else is rejected as InvalidArgument, naming what is unsupported.
/// </summary>
internal sealed partial class VisibilityQuery
{
    private readonly List<Func<WorkflowRun, bool>> _conditions;

    private VisibilityQuery(List<Func<WorkflowRun, bool>> conditions) => _conditions = conditions;

    public static VisibilityQuery Parse(string? query)
    {
        var conditions = new List<Func<WorkflowRun, bool>>();
        var text = (query ?? string.Empty).Trim();
        var orderBy = OrderByClause().Match(text);
        if (orderBy.Success)
        {
            text = text[..orderBy.Index].Trim();
        }

        if (text.Length == 0)
        {
            return new VisibilityQuery(conditions);
        }

        foreach (var part in AndSeparator().Split(text))
        {
            var match = Condition().Match(part.Trim());
            if (!match.Success)
            {
                throw RpcErrors.InvalidArgument($"Unsupported visibility query condition '{part.Trim()}' (the embedded server supports Field = 'value', != and IN joined by AND).");
            }

            var field = match.Groups["field"].Value;
            var op = match.Groups["op"].Value.ToUpperInvariant();
            var values = ValueList().Matches(match.Groups["value"].Value).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            var read = Reader(field);
            conditions.Add(op == "!=" ? run => !values.Contains(read(run)) : run => values.Contains(read(run)));
        }

        return new VisibilityQuery(conditions);
    }

    public bool Matches(WorkflowRun run) => _conditions.TrueForAll(condition => condition(run));

    private static Func<WorkflowRun, string> Reader(string field) => field switch
    {
        "WorkflowId" => run => run.WorkflowId,
        "WorkflowType" => run => run.WorkflowType,
        "RunId" => run => run.RunId,
        "TaskQueue" => run => run.TaskQueue,
        "ExecutionStatus" => run => StatusName(run.Status),
        _ => throw RpcErrors.InvalidArgument($"Unsupported visibility query field '{field}' (supported: WorkflowId, WorkflowType, RunId, TaskQueue, ExecutionStatus)."),
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

    [GeneratedRegex(@"\s+AND\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndSeparator();

    [GeneratedRegex(@"^`?(?<field>[A-Za-z_][A-Za-z0-9_]*)`?\s*(?<op>=|!=|IN)\s*(?<value>\(.*\)|'[^']*'|""[^""]*"")$", RegexOptions.IgnoreCase)]
    private static partial Regex Condition();

    [GeneratedRegex(@"['""]([^'""]*)['""]")]
    private static partial Regex ValueList();

    [GeneratedRegex(@"\s+ORDER\s+BY\s+.*$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderByClause();
}
