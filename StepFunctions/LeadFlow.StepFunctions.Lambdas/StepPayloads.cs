using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Leads;
using LeadFlow.Steps;

namespace LeadFlow.StepFunctions;

// What the state machine passes to each step Lambda (its Parameters) and what it gets back (its ResultPath).

/// <param name="ExecutionName">The execution's name (<c>$$.Execution.Name</c>): the lead id when the event carries no id.</param>
/// <param name="Event">The EventBridge envelope, as an object or as the JSON string the bus delivered.</param>
public sealed record ReceiveLeadRequest(string? ExecutionName, JsonElement Event);

/// <param name="LeadId"><c>lead-&lt;event id&gt;</c>: the Temporal workflow id of the same lead, the root of every idempotency key.</param>
public sealed record ReceivedLead(string LeadId, Lead Lead);

/// <param name="RunId">The execution name (<c>$$.Execution.Name</c>): one run of the lead, part of the idempotency key.</param>
public sealed record CreateStepRequest(string LeadId, Lead Lead, string RunId);

/// <param name="State">The whole execution state: the event, the step results so far and the caught error.</param>
public sealed record RecordFailureRequest(string? ExecutionName, string? ExecutionId, JsonObject State);

/// <param name="Summary">The Fail state's cause, worded as the Temporal run's failure.</param>
/// <param name="Undone">The rows the undo deleted, newest first.</param>
/// <param name="Compensations">Every create step's undo by key, newest first, the failed step included: deleted, kept (and for which lead runs), already gone, nothing to undo.</param>
public sealed record RecordedFailure(
    string LeadId,
    string FailedStep,
    string ErrorType,
    string Reason,
    string Summary,
    long FailureId,
    IReadOnlyList<StepRecord> Undone,
    IReadOnlyList<StepCompensation> Compensations);
