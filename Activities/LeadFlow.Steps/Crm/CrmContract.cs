using LeadFlow.Leads;

namespace LeadFlow.Steps.Crm;

// The JSON bodies of the CRM backend, camelCase on the wire (the original contract's field names).

/// <param name="EventTime">When the lead's event happened (the envelope's <c>time</c>, RFC 3339 on the wire); null when unknown. Recorded with any difference the create finds.</param>
public sealed record CreateClientRequest(string Name, string Lastname, string Rut, string Mail, string Phone, DateTimeOffset? EventTime = null);

/// <param name="EventTime">As for <see cref="CreateClientRequest"/>.</param>
public sealed record CreatePartnerRequest(string Rut, string Store, DateTimeOffset? EventTime = null);

/// <summary>The body of <c>POST /notify_branch</c>: tell <paramref name="Store"/> about its new member, the client of <paramref name="Rut"/>.</summary>
/// <param name="EventTime">As for <see cref="CreateClientRequest"/>.</param>
public sealed record NotifyBranchRequest(string Rut, string Store, DateTimeOffset? EventTime = null);

/// <param name="EventTime">As for <see cref="CreateClientRequest"/>.</param>
public sealed record CreateBenefitRequest(string Rut, bool WantsBenefit, DateTimeOffset? EventTime = null);

/// <summary>
/// The answer to every write: the row's id, whether this request created it or it already existed, which lead runs
/// rely on the row now (this one included), and which submitted fields differ from the stored row (kept for review,
/// never applied: <c>GET /lead_differences</c>). Both lists are absent from answers of backends older than holds.
/// </summary>
public sealed record CrmWriteAnswer(
    int StatusCode,
    string? Message,
    string? Description,
    long Id,
    bool Created,
    IReadOnlyList<RowHolder>? Holders = null,
    IReadOnlyList<string>? DifferingFields = null);

/// <summary>A lead run that relies on a row: the create it made (its Idempotency-Key), whether that create inserted the row, and since when.</summary>
/// <param name="LeadId">Null when the create named no lead run (a key of another form).</param>
public sealed record RowHolder(string? LeadId, string? RunId, string IdempotencyKey, bool Created, DateTimeOffset HeldSince)
{
    /// <summary><c>lead-e2 (run r2)</c>, or the key when the create named no lead run; as the backend words it.</summary>
    public string Describe() => LeadId is null ? $"the create under Idempotency-Key '{IdempotencyKey}'" : $"{LeadId} (run {RunId})";
}

/// <summary>The body of <c>POST /compensations</c>: undo the create made under this Idempotency-Key.</summary>
public sealed record CompensationRequest(string IdempotencyKey);

/// <summary>The outcomes <c>POST /compensations</c> answers with (all HTTP 200, all successful undos).</summary>
public static class CompensationOutcomes
{
    /// <summary>This run (or one that released it before) created the row and no lead run relies on it any more: deleted.</summary>
    public const string Deleted = "deleted";

    /// <summary>The run's hold was released, the row stays: another lead run relies on it, or the run found it stored. <see cref="CompensationAnswer.KeptFor"/> says for whom.</summary>
    public const string Kept = "kept";

    /// <summary>The row was deleted otherwise; the hold was released. Counts as undone.</summary>
    public const string AlreadyGone = "already-gone";

    /// <summary>Nothing was written under the key (the create never arrived or was refused); a later create under it is refused (a tombstone).</summary>
    public const string NothingToUndo = "nothing-to-undo";
}

/// <summary>The answer of <c>POST /compensations</c>, repeated unchanged when the same key is undone again.</summary>
/// <param name="Outcome">One of <see cref="CompensationOutcomes"/>.</param>
/// <param name="Message">For a person: <c>kept: lead-e2 (run r2) relies on it. ...</c>.</param>
/// <param name="Entity"><c>client</c>, <c>partner</c> or <c>benefit</c>; null for <c>nothing-to-undo</c>.</param>
/// <param name="KeptFor">For <c>kept</c>: the lead runs relying on the row (or on rows hanging off it).</param>
public sealed record CompensationAnswer(
    string IdempotencyKey,
    string Outcome,
    string Message,
    string? Entity,
    long? Id,
    string? LeadId,
    string? RunId,
    IReadOnlyList<RowHolder>? KeptFor,
    DateTimeOffset CompensatedAt);

/// <summary>One hold of <c>GET /holds</c>: which row, taken by which create, active or released when.</summary>
/// <param name="ReleasedAt">Null while the lead run still relies on the row.</param>
public sealed record HoldRecord(string Entity, long RowId, string? LeadId, string? RunId, string IdempotencyKey, bool Created, DateTimeOffset HeldAt, DateTimeOffset? ReleasedAt);

/// <summary>A value a lead brought that differs from the stored row (<c>GET /lead_differences</c>); the values are personal data, mask them before showing.</summary>
/// <param name="CompensatedAt">When the create that found it was compensated; null otherwise.</param>
public sealed record LeadDifferenceRecord(
    long Id,
    string? LeadId,
    string? RunId,
    string? IdempotencyKey,
    string Entity,
    long RowId,
    string Rut,
    string Field,
    string StoredValue,
    string SubmittedValue,
    DateTimeOffset? EventTime,
    DateTimeOffset RecordedAt,
    DateTimeOffset? CompensatedAt);

/// <summary>A page of differences, newest first; pass <see cref="NextBefore"/> as <c>before</c> for the next page.</summary>
public sealed record LeadDifferencePage(IReadOnlyList<LeadDifferenceRecord> Items, long? NextBefore);

/// <param name="Compensations">What the error step's undo did, step by step (newest first); null from callers that undid nothing.</param>
/// <param name="Event">The lead's original event as JSON text (kept for redrive); null when there is none or it is too long.</param>
public sealed record LeadFailureRequest(
    string LeadId,
    string Step,
    string Reason,
    string? PayloadReference,
    IReadOnlyList<FieldError>? Errors,
    IReadOnlyList<FailureCompensation>? Compensations = null,
    string? Event = null);

/// <summary>One step's undo as the failure record keeps it: the create's key, the outcome, the row, and for whom it was kept.</summary>
/// <param name="Outcome">One of <see cref="CompensationOutcomes"/>, or <see cref="StepCompensation.NotUndone"/>.</param>
/// <param name="KeptFor">The lead runs the row was kept for (<c>kept</c> only).</param>
public sealed record FailureCompensation(string Step, string IdempotencyKey, string Outcome, string? Entity, long? Id, IReadOnlyList<LeadRunName>? KeptFor);

/// <summary>A lead run by name: the lead (<c>lead-&lt;event id&gt;</c>) and its run; either may be null when the create named none.</summary>
public sealed record LeadRunName(string? LeadId, string? RunId);

public sealed record LeadFailurePage(IReadOnlyList<LeadFailureRecord> Items, long? NextBefore);

/// <param name="Compensations">The structured undo (newest first); empty for failures recorded before it was kept, and for rejected leads.</param>
/// <param name="Event">The original event with personal data masked (GET /lead_failures/{id}/event has it whole); null when none was kept.</param>
public sealed record LeadFailureRecord(
    long Id,
    string LeadId,
    string Step,
    string Reason,
    string? PayloadReference,
    IReadOnlyList<FieldError>? Errors,
    DateTimeOffset? RecordedAt,
    IReadOnlyList<FailureCompensation>? Compensations = null,
    string? Event = null);

public sealed record ClientRecord(long Id, string Rut, string Name, string Lastname, string Mail, string Phone, DateTimeOffset? CreatedAt);

public sealed record PartnerRecord(long Id, long ClientId, string Rut, string Store, DateTimeOffset? CreatedAt);

/// <summary>A stored branch notification (<c>/branch_notifications</c>): the store told about its new member.</summary>
public sealed record BranchNotificationRecord(long Id, long ClientId, string Rut, string Store, DateTimeOffset? CreatedAt);

public sealed record BenefitRecord(long Id, long ClientId, string Rut, bool WantsBenefit, DateTimeOffset? CreatedAt);
