using Google.Protobuf.WellKnownTypes;
using LeadFlow.EmbeddedTemporal.Namespaces;
using LeadFlow.EmbeddedTemporal.Visibility;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>
/// Turns the commands of a completed workflow task into history events, in command order, each pointing
/// back at the WorkflowTaskCompleted event (workflow_task_completed_event_id) as the real server writes them.
/// </summary>
internal sealed class CommandApplier(ServerState state, ActivityScheduling activities, ActivityOutcomes outcomes, WorkflowTasks workflowTasks, ContinueAsNew continueAsNew, RunLifecycle lifecycle)
{
    public static bool IsCloseCommand(Command command) => command.CommandType is CommandType.CompleteWorkflowExecution
        or CommandType.FailWorkflowExecution or CommandType.CancelWorkflowExecution or CommandType.ContinueAsNewWorkflowExecution;

    /// <summary>
    /// Checks the whole batch before anything is written: a bad command fails the workflow task and none of
    /// the batch is recorded, as on the real server. Returns the reason, or null when the batch is valid.
    /// </summary>
    public static (string Message, WorkflowTaskFailedCause Cause)? Validate(WorkflowRun run, NamespaceRecord ns, IEnumerable<Command> commands)
    {
        var activityIds = new HashSet<string>(run.ActivityIds.Keys, StringComparer.Ordinal);
        foreach (var command in commands)
        {
            switch (command.CommandType)
            {
                case CommandType.ScheduleActivityTask:
                    var attributes = command.ScheduleActivityTaskCommandAttributes;
                    if (string.IsNullOrEmpty(attributes.ActivityId) || string.IsNullOrEmpty(attributes.ActivityType?.Name))
                    {
                        return ("ActivityId and ActivityType are required on ScheduleActivityTask.", WorkflowTaskFailedCause.BadScheduleActivityAttributes);
                    }

                    if (!activityIds.Add(attributes.ActivityId))
                    {
                        return ($"Activity with ID {attributes.ActivityId} is already running.", WorkflowTaskFailedCause.BadScheduleActivityAttributes);
                    }

                    if (ActivityTimeouts.Resolve(attributes, run.RunTimeout) is null)
                    {
                        return ("A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTask.", WorkflowTaskFailedCause.BadScheduleActivityAttributes);
                    }

                    break;
                case CommandType.UpsertWorkflowSearchAttributes:
                    // The history service validates upserts like starts (searchattribute.Validator) and fails the task.
                    if (SearchAttributeSchema.Validate(ns, command.UpsertWorkflowSearchAttributesCommandAttributes.SearchAttributes) is { } badUpsert)
                    {
                        return (badUpsert, WorkflowTaskFailedCause.BadSearchAttributes);
                    }

                    break;
                case CommandType.ContinueAsNewWorkflowExecution:
                    if (SearchAttributeSchema.Validate(ns, command.ContinueAsNewWorkflowExecutionCommandAttributes.SearchAttributes) is { } badNext)
                    {
                        return (badNext, WorkflowTaskFailedCause.BadSearchAttributes);
                    }

                    break;
                case CommandType.RequestCancelActivityTask or CommandType.StartTimer or CommandType.CancelTimer or CommandType.RecordMarker
                    or CommandType.ModifyWorkflowProperties or CommandType.CompleteWorkflowExecution
                    or CommandType.FailWorkflowExecution or CommandType.CancelWorkflowExecution or CommandType.ProtocolMessage:
                    break;
                default:
                    return ($"Command {command.CommandType} is not supported by the embedded Temporal server (development/test only).", WorkflowTaskFailedCause.Unspecified);
            }
        }

        return null;
    }

    /// <summary>Applies a validated batch; true when it produced events the workflow must see in a new task.</summary>
    public bool Apply(WorkflowRun run, IEnumerable<Command> commands, long completedEventId, string identity)
    {
        var needsTask = false;
        foreach (var command in commands)
        {
            if (!run.IsOpen)
            {
                break;
            }

            var firstEventId = run.History.NextEventId;
            ApplyOne(run, command, completedEventId, identity, ref needsTask);

            // The summary of an activity, timer or close (Command.user_metadata) goes on the event the command wrote.
            if (command.UserMetadata is not null && run.History.LastEventId >= firstEventId)
            {
                run.History[firstEventId].UserMetadata = command.UserMetadata;
            }
        }

        return needsTask;
    }

    private void ApplyOne(WorkflowRun run, Command command, long completedEventId, string identity, ref bool needsTask)
    {
        {
            switch (command.CommandType)
            {
                case CommandType.ScheduleActivityTask:
                    activities.Schedule(run, command.ScheduleActivityTaskCommandAttributes, completedEventId);
                    break;
                case CommandType.RequestCancelActivityTask:
                    needsTask |= outcomes.RequestCancel(run, command.RequestCancelActivityTaskCommandAttributes.ScheduledEventId, completedEventId);
                    break;
                case CommandType.StartTimer:
                    StartTimer(run, command.StartTimerCommandAttributes, completedEventId);
                    break;
                case CommandType.CancelTimer:
                    CancelTimer(run, command.CancelTimerCommandAttributes.TimerId, completedEventId, identity);
                    break;
                case CommandType.RecordMarker:
                    var marker = command.RecordMarkerCommandAttributes;
                    Append(run, EventType.MarkerRecorded, e => e.MarkerRecordedEventAttributes = new MarkerRecordedEventAttributes
                    {
                        MarkerName = marker.MarkerName,
                        Details = { marker.Details },
                        WorkflowTaskCompletedEventId = completedEventId,
                        Header = marker.Header,
                        Failure = marker.Failure,
                    });
                    break;
                case CommandType.UpsertWorkflowSearchAttributes:
                    var upsert = command.UpsertWorkflowSearchAttributesCommandAttributes;
                    SearchAttributeSchema.Merge(run.SearchAttributes, upsert.SearchAttributes);

                    Append(run, EventType.UpsertWorkflowSearchAttributes, e => e.UpsertWorkflowSearchAttributesEventAttributes = new UpsertWorkflowSearchAttributesEventAttributes
                    {
                        WorkflowTaskCompletedEventId = completedEventId,
                        SearchAttributes = upsert.SearchAttributes,
                    });
                    break;
                case CommandType.ModifyWorkflowProperties:
                    var modify = command.ModifyWorkflowPropertiesCommandAttributes;
                    foreach (var field in modify.UpsertedMemo?.Fields ?? [])
                    {
                        run.Memo.Fields[field.Key] = field.Value;
                    }

                    Append(run, EventType.WorkflowPropertiesModified, e => e.WorkflowPropertiesModifiedEventAttributes = new WorkflowPropertiesModifiedEventAttributes
                    {
                        WorkflowTaskCompletedEventId = completedEventId,
                        UpsertedMemo = modify.UpsertedMemo,
                    });
                    break;
                case CommandType.CompleteWorkflowExecution:
                    lifecycle.Close(run, Event(EventType.WorkflowExecutionCompleted, e => e.WorkflowExecutionCompletedEventAttributes = new WorkflowExecutionCompletedEventAttributes
                    {
                        Result = command.CompleteWorkflowExecutionCommandAttributes.Result,
                        WorkflowTaskCompletedEventId = completedEventId,
                    }), WorkflowExecutionStatus.Completed);
                    break;
                case CommandType.FailWorkflowExecution:
                    lifecycle.Close(run, Event(EventType.WorkflowExecutionFailed, e => e.WorkflowExecutionFailedEventAttributes = new WorkflowExecutionFailedEventAttributes
                    {
                        Failure = command.FailWorkflowExecutionCommandAttributes.Failure,
                        RetryState = RetryState.RetryPolicyNotSet,
                        WorkflowTaskCompletedEventId = completedEventId,
                    }), WorkflowExecutionStatus.Failed);
                    break;
                case CommandType.CancelWorkflowExecution:
                    lifecycle.Close(run, Event(EventType.WorkflowExecutionCanceled, e => e.WorkflowExecutionCanceledEventAttributes = new WorkflowExecutionCanceledEventAttributes
                    {
                        Details = command.CancelWorkflowExecutionCommandAttributes.Details,
                        WorkflowTaskCompletedEventId = completedEventId,
                    }), WorkflowExecutionStatus.Canceled);
                    break;
                case CommandType.ContinueAsNewWorkflowExecution:
                    continueAsNew.Apply(run, command.ContinueAsNewWorkflowExecutionCommandAttributes, completedEventId);
                    break;
                case CommandType.ProtocolMessage:
                    // Workflow updates are not supported; the message it refers to is ignored.
                    break;
                default:
                    throw new InvalidOperationException($"Command {command.CommandType} passed validation but has no handler.");
            }
        }
    }

    private void StartTimer(WorkflowRun run, StartTimerCommandAttributes command, long completedEventId)
    {
        var timeout = command.StartToFireTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
        var started = Append(run, EventType.TimerStarted, e => e.TimerStartedEventAttributes = new TimerStartedEventAttributes
        {
            TimerId = command.TimerId,
            StartToFireTimeout = command.StartToFireTimeout ?? Duration.FromTimeSpan(TimeSpan.Zero),
            WorkflowTaskCompletedEventId = completedEventId,
        });
        var timer = new TimerInfo { TimerId = command.TimerId, StartedEventId = started.EventId, FireTime = DateTime.UtcNow + timeout };
        run.Timers[timer.TimerId] = timer;
        state.Timers.Schedule(timer.FireTime, () => Fire(run, timer));
    }

    private void Fire(WorkflowRun run, TimerInfo timer)
    {
        lock (run.Gate)
        {
            if (!run.IsOpen || !run.Timers.TryGetValue(timer.TimerId, out var current) || !ReferenceEquals(current, timer))
            {
                return;
            }

            run.Timers.Remove(timer.TimerId);
            workflowTasks.WriteOrBuffer(run, () => Append(run, EventType.TimerFired, e => e.TimerFiredEventAttributes = new TimerFiredEventAttributes
            {
                TimerId = timer.TimerId,
                StartedEventId = timer.StartedEventId,
            }));
        }
    }

    private static void CancelTimer(WorkflowRun run, string timerId, long completedEventId, string identity)
    {
        // A timer that already fired has its TimerFired buffered; the SDK handles the cancel/fire race itself.
        var startedEventId = run.Timers.Remove(timerId, out var timer) ? timer.StartedEventId : 0;
        Append(run, EventType.TimerCanceled, e => e.TimerCanceledEventAttributes = new TimerCanceledEventAttributes
        {
            TimerId = timerId,
            StartedEventId = startedEventId,
            WorkflowTaskCompletedEventId = completedEventId,
            Identity = identity,
        });
    }

    private static HistoryEvent Append(WorkflowRun run, EventType type, Action<HistoryEvent> setAttributes) =>
        run.History.Append(Event(type, setAttributes));

    private static HistoryEvent Event(EventType type, Action<HistoryEvent> setAttributes)
    {
        var historyEvent = new HistoryEvent { EventType = type };
        setAttributes(historyEvent);
        return historyEvent;
    }
}
