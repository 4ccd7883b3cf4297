using LeadFlow.Crm.Backend.Creates;
using Npgsql;

namespace LeadFlow.Crm.Backend.Holds;

/// <summary>One hold as stored: the row it is on, who took it, whether it is still active.</summary>
public sealed record StoredHold(HeldRowKind Kind, long RowId, RowHolder Holder, bool Released);

/// <summary>
/// The <c>row_holds</c> table (reference tracking): which creates, and so which lead runs, rely on which rows.
/// Every statement runs on the caller's <see cref="SqlSession"/>, inside its transaction and its row locks.
/// </summary>
public static class RowHolds
{
    /// <summary>
    /// Takes the hold of the create under <paramref name="idempotencyKey"/> on the row, and returns every active
    /// holder of the row, this one included, oldest first. One round trip: the statement's snapshot does not see
    /// its own insert, so the new hold is added from RETURNING. A key that already holds (its idempotency record was
    /// purged after <c>Crm__IdempotencyRetention</c>, and the same request came again) keeps the hold it has.
    /// </summary>
    public static Task<IReadOnlyList<RowHolder>> TakeAsync(SqlSession sql, string idempotencyKey, HeldRowKind kind, long rowId, LeadRun run, bool created, CancellationToken cancellationToken) =>
        ReadHoldersAsync(
            sql,
            $"""
            WITH taken AS (
                INSERT INTO row_holds (idempotency_key, entity, row_id, lead_id, run_id, created)
                VALUES ({idempotencyKey}, {kind.Entity}, {rowId}, {run.LeadId}, {run.RunId}, {created})
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING lead_id, run_id, idempotency_key, created, held_at)
            SELECT lead_id, run_id, idempotency_key, created, held_at FROM taken
            UNION ALL
            SELECT lead_id, run_id, idempotency_key, created, held_at FROM row_holds
            WHERE entity = {kind.Entity} AND row_id = {rowId} AND released_at IS NULL
            ORDER BY held_at, idempotency_key
            """,
            cancellationToken);

    /// <summary>The active holders of a row, oldest first.</summary>
    public static Task<IReadOnlyList<RowHolder>> ActiveAsync(SqlSession sql, HeldRowKind kind, long rowId, CancellationToken cancellationToken) =>
        ReadHoldersAsync(
            sql,
            $"SELECT lead_id, run_id, idempotency_key, created, held_at FROM row_holds WHERE entity = {kind.Entity} AND row_id = {rowId} AND released_at IS NULL ORDER BY held_at, idempotency_key",
            cancellationToken);

    /// <summary>The active holders of every row of <paramref name="kind"/> among <paramref name="rowIds"/>.</summary>
    public static async Task<IReadOnlyList<(long RowId, RowHolder Holder)>> ActiveOfRowsAsync(SqlSession sql, HeldRowKind kind, long[] rowIds, CancellationToken cancellationToken)
    {
        await using var command = sql.Command(
            $"SELECT row_id, lead_id, run_id, idempotency_key, created, held_at FROM row_holds WHERE entity = {kind.Entity} AND row_id = ANY({rowIds}) AND released_at IS NULL ORDER BY held_at, idempotency_key");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var holders = new List<(long, RowHolder)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            holders.Add((reader.GetInt64(0), ReadHolder(reader, 1)));
        }

        return holders;
    }

    /// <summary>The hold taken under <paramref name="idempotencyKey"/>, active or released; null when that key took none.</summary>
    public static async Task<StoredHold?> OfKeyAsync(SqlSession sql, string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var command = sql.Command(
            $"SELECT entity, row_id, released_at IS NOT NULL, lead_id, run_id, idempotency_key, created, held_at FROM row_holds WHERE idempotency_key = {idempotencyKey}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredHold(HeldRowKind.Named(reader.GetString(0)), reader.GetInt64(1), ReadHolder(reader, 3), reader.GetBoolean(2))
            : null;
    }

    /// <summary>
    /// The hold (active or released) of the create that inserted the row, when a tracked create did; null when the row
    /// was stored before any lead run relied on it (a create without a key, or data older than the CRM facade).
    /// </summary>
    public static async Task<RowHolder?> CreatorAsync(SqlSession sql, HeldRowKind kind, long rowId, CancellationToken cancellationToken) =>
        (await ReadHoldersAsync(
            sql,
            $"SELECT lead_id, run_id, idempotency_key, created, held_at FROM row_holds WHERE entity = {kind.Entity} AND row_id = {rowId} AND created ORDER BY held_at LIMIT 1",
            cancellationToken)).FirstOrDefault();

    /// <summary>Releases the hold taken under <paramref name="idempotencyKey"/> (kept as history).</summary>
    public static Task ReleaseAsync(SqlSession sql, string idempotencyKey, CancellationToken cancellationToken) =>
        sql.ExecuteAsync($"UPDATE row_holds SET released_at = now() WHERE idempotency_key = {idempotencyKey} AND released_at IS NULL", cancellationToken);

    /// <summary>Releases every active hold on a row that is being deleted.</summary>
    public static Task ReleaseAllAsync(SqlSession sql, HeldRowKind kind, long rowId, CancellationToken cancellationToken) =>
        sql.ExecuteAsync($"UPDATE row_holds SET released_at = now() WHERE entity = {kind.Entity} AND row_id = {rowId} AND released_at IS NULL", cancellationToken);

    private static async Task<IReadOnlyList<RowHolder>> ReadHoldersAsync(SqlSession sql, FormattableString query, CancellationToken cancellationToken)
    {
        await using var command = sql.Command(query);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var holders = new List<RowHolder>();
        while (await reader.ReadAsync(cancellationToken))
        {
            holders.Add(ReadHolder(reader, 0));
        }

        return holders;
    }

    private static RowHolder ReadHolder(NpgsqlDataReader reader, int first) => new(
        reader.IsDBNull(first) ? null : reader.GetString(first),
        reader.IsDBNull(first + 1) ? null : reader.GetString(first + 1),
        reader.GetString(first + 2),
        reader.GetBoolean(first + 3),
        reader.GetFieldValue<DateTimeOffset>(first + 4));
}
