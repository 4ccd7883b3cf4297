using LeadFlow.Crm.Backend.Holds;

namespace LeadFlow.Crm.Backend.Compensations;

/// <summary>The body of <c>POST /compensations</c>: the Idempotency-Key of the create to undo.</summary>
public sealed record CompensationRequest(string IdempotencyKey);

/// <summary>The outcomes of a compensation. All are successful undos (HTTP 200).</summary>
public static class CompensationOutcomes
{
    /// <summary>The run created the row and no lead run relies on it any more: the row was deleted.</summary>
    public const string Deleted = "deleted";

    /// <summary>The run's hold was released; the row stays because another lead run relies on it, the run did not create it, or rows still hang off it.</summary>
    public const string Kept = "kept";

    /// <summary>The row was already gone (deleted otherwise); the run's hold was released. A 404 counts as undone.</summary>
    public const string AlreadyGone = "already-gone";

    /// <summary>Nothing was written under the key (the create never arrived, or was refused); a later create under it is refused.</summary>
    public const string NothingToUndo = "nothing-to-undo";
}

/// <summary>
/// The answer of <c>POST /compensations</c>, repeated unchanged for a repeated undo of the same key.
/// </summary>
/// <param name="Outcome">One of <see cref="CompensationOutcomes"/>: <c>deleted</c>, <c>kept</c>, <c>already-gone</c>, <c>nothing-to-undo</c>.</param>
/// <param name="Message">What happened and why, for a person: <c>kept: lead-e2 (run r2) relies on it. ...</c></param>
/// <param name="Entity"><c>client</c>, <c>partner</c> or <c>benefit</c>; null for <c>nothing-to-undo</c>.</param>
/// <param name="Id">The row's id; null for <c>nothing-to-undo</c>.</param>
/// <param name="LeadId">The lead whose hold was released (as the create named it); null when none was.</param>
/// <param name="RunId">The run whose hold was released; null when none was.</param>
/// <param name="KeptFor">For <c>kept</c>: the lead runs that rely on the row (or on the rows that hang off it); empty otherwise.</param>
/// <param name="CompensatedAt">When the compensation was carried out (UTC); a repeated undo repeats it.</param>
public sealed record CompensationAnswer(
    string IdempotencyKey,
    string Outcome,
    string Message,
    string? Entity,
    long? Id,
    string? LeadId,
    string? RunId,
    IReadOnlyList<RowHolder> KeptFor,
    DateTimeOffset CompensatedAt);
