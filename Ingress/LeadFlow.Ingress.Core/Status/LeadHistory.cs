using LeadFlow.Leads;
using LeadFlow.Steps;
using LeadFlow.Workflows;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Converters;

namespace LeadFlow.Ingress.Status;

/// <summary>
/// A lead's status as the run's history tells it, without a worker: what <see cref="LeadOnboardingWorkflow.GetStatus"/>
/// would answer, rebuilt from the events the workflow left (the step scheduled last, the create steps' results, the
/// error step's input and result, the close event). Used when no worker can answer the query; the same shape and the
/// same content (ids, steps, reasons; no personal data).
/// </summary>
public static class LeadHistory
{
    /// <param name="leadId">The workflow id.</param>
    /// <param name="events">The run's history, oldest first.</param>
    /// <param name="converter">The client's data converter (payload codec included), to read results and failure details.</param>
    /// <exception cref="Exception">Whatever the converter throws for a payload it cannot read (callers fall back to no status).</exception>
    public static async Task<LeadStatus> ReadAsync(string leadId, IReadOnlyList<HistoryEvent> events, DataConverter converter)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(converter);
        var scheduled = new Dictionary<long, string>();
        var records = new List<StepRecord>();
        IReadOnlyList<StepRecord> undone = [];
        var currentStep = LeadOnboardingSteps.ReceiveLead;
        var outcome = LeadOutcome.Running;
        LeadError? error = null;
        foreach (var e in events)
        {
            switch (e.EventType)
            {
                case EventType.ActivityTaskScheduled:
                    var step = e.ActivityTaskScheduledEventAttributes.ActivityType.Name;
                    scheduled[e.EventId] = step;
                    currentStep = step;
                    if (step == LeadOnboardingSteps.RecordFailure && await FirstAsync<LeadFailure>(converter, e.ActivityTaskScheduledEventAttributes.Input) is { } failure)
                    {
                        error = new LeadError(failure.FailedStep, failure.ErrorType, failure.Reason, failure.FieldErrors);
                    }

                    break;
                case EventType.ActivityTaskCompleted:
                    var completed = e.ActivityTaskCompletedEventAttributes;
                    var of = scheduled.GetValueOrDefault(completed.ScheduledEventId);
                    if (of == LeadOnboardingSteps.RecordFailure && await FirstAsync<LeadFailureOutcome>(converter, completed.Result) is { } recorded)
                    {
                        undone = recorded.Undone;
                        error = error is null ? null : error with { FailureRecordId = recorded.FailureId, Compensations = recorded.Compensations };
                    }
                    else if (of is not null && CreateSteps.All.Any(s => s.Name == of) && await FirstAsync<StepRecord>(converter, completed.Result) is { } record)
                    {
                        records.Add(record);
                    }

                    break;
                case EventType.WorkflowExecutionCompleted:
                    outcome = LeadOutcome.Completed;
                    break;
                case EventType.WorkflowExecutionFailed:
                    var info = e.WorkflowExecutionFailedEventAttributes.Failure?.ApplicationFailureInfo;
                    error = await FirstAsync<LeadError>(converter, info?.Details) ?? error;
                    outcome = info?.Type == LeadErrorTypes.LeadRejected ? LeadOutcome.Rejected : LeadOutcome.Failed;
                    break;
                case EventType.WorkflowExecutionCanceled:
                    // The workflow ends Canceled only after its error step ran (LeadCancelled, recorded above); a run
                    // cancelled before that patch ended Failed and is read above.
                    outcome = LeadOutcome.Cancelled;
                    break;
            }
        }

        return new LeadStatus(leadId, currentStep, outcome, records, undone, error);
    }

    private static async Task<T?> FirstAsync<T>(DataConverter converter, Payloads? payloads)
        where T : class =>
        payloads is { Payloads_.Count: > 0 } ? await converter.ToValueAsync<T>(payloads.Payloads_[0]) : null;
}
