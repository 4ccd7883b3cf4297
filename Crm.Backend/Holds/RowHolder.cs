namespace LeadFlow.Crm.Backend.Holds;

/// <summary>
/// A lead run that relies on a row: the create it made (its Idempotency-Key), whether that create inserted the row,
/// and since when. <see cref="LeadId"/> and <see cref="RunId"/> are null when the create named no lead run (a key of
/// another form and no <c>X-Lead-Id</c>/<c>X-Run-Id</c> headers).
/// </summary>
/// <param name="HeldSince">When the create's transaction took the hold (UTC).</param>
public sealed record RowHolder(string? LeadId, string? RunId, string IdempotencyKey, bool Created, DateTimeOffset HeldSince)
{
    /// <summary>For a sentence: <c>lead-e2 (run r2)</c>, or the key when the create named no lead run.</summary>
    public string Describe() => LeadId is null ? $"the create under Idempotency-Key '{IdempotencyKey}'" : $"{LeadId} (run {RunId})";

    /// <summary>True when both name the same lead run (never for holders that named none).</summary>
    public bool IsSameRun(LeadRun run) => LeadId is not null && LeadId == run.LeadId && RunId == run.RunId;

    /// <summary><c>lead-e2 (run r2) relies</c>, <c>lead-e2 (run r2), lead-e3 (run r3) rely</c>.</summary>
    public static string Rely(IReadOnlyList<RowHolder> holders) =>
        $"{string.Join(", ", holders.Select(h => h.Describe()))} {(holders.Count == 1 ? "relies" : "rely")}";
}
