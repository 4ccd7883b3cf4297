namespace LeadFlow.Crm.Backend.Data;

/// <summary>A row found by id or by its natural key, the normalised RUT.</summary>
public interface IRutKeyedRow
{
    long Id { get; }

    string Rut { get; }
}

/// <summary>A row of CLIENTS. <see cref="Rut"/> is normalised (<c>11111111-1</c>) and unique.</summary>
public sealed class ClientRow : IRutKeyedRow
{
    public long Id { get; set; }

    public required string Rut { get; set; }

    public required string Name { get; set; }

    public required string Lastname { get; set; }

    public required string Mail { get; set; }

    public required string Phone { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A row of PARTNERS: the client attached to a store. One partner per client (unique RUT).</summary>
public sealed class PartnerRow : IRutKeyedRow
{
    public long Id { get; set; }

    public long ClientId { get; set; }

    public required string Rut { get; set; }

    public required string Store { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A row of BENEFITS: whether the client opted into the programme. One benefit per client (unique RUT).</summary>
/// <summary>
/// A store told about its new member (<c>POST /notify_branch</c>, the optional NotifyBranch step): one per client, read by
/// the store from the CRM. Undone like the other rows (deleted when the lead run that created it is compensated).
/// </summary>
public sealed class BranchNotificationRow : IRutKeyedRow
{
    public long Id { get; set; }

    public long ClientId { get; set; }

    public required string Rut { get; set; }

    public required string Store { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class BenefitRow : IRutKeyedRow
{
    public long Id { get; set; }

    public long ClientId { get; set; }

    public required string Rut { get; set; }

    public bool WantsBenefit { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A lead that needs a person's attention: which step failed and why.</summary>
public sealed class LeadFailureRow
{
    public long Id { get; set; }

    public required string LeadId { get; set; }

    public required string Step { get; set; }

    public required string Reason { get; set; }

    public string? PayloadReference { get; set; }

    /// <summary>
    /// The lead's original bus event (the EventBridge envelope as JSON text), so a failed lead can be redriven whatever
    /// Temporal's retention; null when the run had no event (an input that was none) or it was over <see cref="LeadFailureLimits.Event"/>.
    /// Holds personal data: only <c>GET /lead_failures/{id}/event</c> answers it unmasked.
    /// </summary>
    public string? Event { get; set; }

    /// <summary>The field errors as a JSON array (jsonb), empty array when none.</summary>
    public required string Errors { get; set; }

    /// <summary>What the error step's undo did, step by step, as a JSON array (jsonb) of <c>FailureCompensation</c>; empty array when none.</summary>
    public string Compensations { get; set; } = "[]";

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>The first successful answer given under an <c>Idempotency-Key</c>, replayed for later requests with that key.</summary>
public sealed class IdempotencyRecord
{
    public required string Key { get; set; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the first request's meaning (<see cref="Request"/>): a request that means something
    /// else under the same key is refused. Records written before meanings were kept (<see cref="Request"/> null) hold
    /// the hash of the method, path and body bytes instead.
    /// </summary>
    public required string RequestHash { get; set; }

    /// <summary>
    /// The first request's meaning as canonical JSON: route, lead run, event time and the parsed, normalised command,
    /// so a differing retry can be told which fields differ. Null on records written before it was kept.
    /// </summary>
    public string? Request { get; set; }

    public required string Answer { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A hold (reference tracking, the saga literature's "semantic lock" countermeasure: Garcia-Molina and Salem 1987,
/// Richardson, <i>Microservices Patterns</i>, ch. 4): the create made under <see cref="IdempotencyKey"/> relies on the
/// row <see cref="Entity"/> <see cref="RowId"/>. Active while <see cref="ReleasedAt"/> is null; only the compensation of
/// that create releases it, so a completed lead run holds its rows for good. Released holds are kept as history:
/// they tell later compensations whether a lead run created the row.
/// </summary>
public sealed class RowHold
{
    /// <summary>The create's Idempotency-Key: one create, one hold.</summary>
    public required string IdempotencyKey { get; set; }

    /// <summary><c>client</c>, <c>partner</c> or <c>benefit</c>.</summary>
    public required string Entity { get; set; }

    public long RowId { get; set; }

    /// <summary>The lead (<c>lead-&lt;event id&gt;</c>), when the request named it; null for keys of another form.</summary>
    public string? LeadId { get; set; }

    /// <summary>The run of the lead (Temporal run id, Step Functions execution name), when the request named it.</summary>
    public string? RunId { get; set; }

    /// <summary>True when this create inserted the row; false when it found the row already stored.</summary>
    public bool Created { get; set; }

    public DateTimeOffset HeldAt { get; set; }

    public DateTimeOffset? ReleasedAt { get; set; }
}

/// <summary>
/// The compensation of the create made under <see cref="IdempotencyKey"/>: its answer, replayed for a repeated undo,
/// and a tombstone that refuses a create arriving under that key afterwards.
/// </summary>
public sealed class CompensationRecord
{
    public required string IdempotencyKey { get; set; }

    /// <summary>The compensation's answer as JSON.</summary>
    public required string Answer { get; set; }

    public DateTimeOffset CompensatedAt { get; set; }
}

/// <summary>
/// A value a lead brought that differs from the stored row it found: kept for a person to review, never applied
/// and never dropped silently.
/// </summary>
public sealed class LeadDifferenceRow
{
    public long Id { get; set; }

    public string? LeadId { get; set; }

    public string? RunId { get; set; }

    public string? IdempotencyKey { get; set; }

    /// <summary><c>client</c>, <c>partner</c> or <c>benefit</c>.</summary>
    public required string Entity { get; set; }

    public long RowId { get; set; }

    /// <summary>The normalised RUT of the row (personal data: masked in logs).</summary>
    public required string Rut { get; set; }

    /// <summary>The contract's field name: <c>mail</c>, <c>phone</c>, <c>store</c>, <c>wantsBenefit</c>, ...</summary>
    public required string Field { get; set; }

    public required string StoredValue { get; set; }

    public required string SubmittedValue { get; set; }

    /// <summary>When the lead's event happened (the bus event's <c>time</c>), when the request said so.</summary>
    public DateTimeOffset? EventTime { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>Set when the create that found the difference was compensated (its lead run failed or was cancelled).</summary>
    public DateTimeOffset? CompensatedAt { get; set; }
}
