using System.Collections.Concurrent;
using LeadFlow.EmbeddedTemporal.Executions;

namespace LeadFlow.EmbeddedTemporal.TaskQueues;

/// <summary>A workflow task (or a legacy query task) waiting for a poller.</summary>
internal sealed record WorkflowTaskItem(WorkflowRun Run, WorkflowTaskInfo? Task, PendingQuery? LegacyQuery);

/// <summary>One attempt of an activity waiting for a poller.</summary>
internal sealed record ActivityTaskItem(WorkflowRun Run, ActivityInfo Activity, int Attempt);

/// <summary>Task queues are created on first use, as in the real server.</summary>
internal sealed class TaskQueueRegistry
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), TaskQueue<WorkflowTaskItem>> _workflowQueues = new();
    private readonly ConcurrentDictionary<(string Namespace, string Name), TaskQueue<ActivityTaskItem>> _activityQueues = new();

    public TaskQueue<WorkflowTaskItem> Workflow(string @namespace, string name) =>
        _workflowQueues.GetOrAdd((@namespace, name), key => new TaskQueue<WorkflowTaskItem>(key.Name));

    public TaskQueue<ActivityTaskItem> Activity(string @namespace, string name) =>
        _activityQueues.GetOrAdd((@namespace, name), key => new TaskQueue<ActivityTaskItem>(key.Name));

    public TaskQueue<WorkflowTaskItem>? FindWorkflow(string @namespace, string name) =>
        _workflowQueues.GetValueOrDefault((@namespace, name));

    public TaskQueue<ActivityTaskItem>? FindActivity(string @namespace, string name) =>
        _activityQueues.GetValueOrDefault((@namespace, name));

    /// <summary>Sticky queues are per worker process; once it shuts down the queue is forgotten.</summary>
    public List<WorkflowTaskItem> ShutDownSticky(string @namespace, string name) =>
        _workflowQueues.TryRemove((@namespace, name), out var queue) ? queue.ShutDown() : [];
}
