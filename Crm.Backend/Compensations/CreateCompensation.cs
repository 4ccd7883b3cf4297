using System.Text.Json;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace LeadFlow.Crm.Backend.Compensations;

/// <summary>
/// The compensation of one create, named by its Idempotency-Key: the saga's compensating transaction
/// (Garcia-Molina and Salem, "Sagas", 1987), made safe without isolation by the holds the creates took (the
/// "semantic lock" countermeasure, Richardson, <i>Microservices Patterns</i>, ch. 4).
/// <list type="number">
/// <item>Serialised on the key with the creates: a create still running under it commits first, and is then undone;
/// a create that never arrived is declared undone (a tombstone), so a late arrival writes nothing.</item>
/// <item>Releases the run's hold. Deletes the row only when a lead run created it (this one, or one that released it
/// before) and no lead run, running or completed, holds it any more, and no row hangs off it; otherwise keeps it and
/// says for whom. A completed run keeps its holds for good, so its rows are never deleted under it.</item>
/// <item>Idempotent: the first answer is stored and repeated.</item>
/// </list>
/// </summary>
public static partial class CreateCompensation
{
    /// <summary>Undoes the create made under <paramref name="idempotencyKey"/>; <c>Replayed</c> is true when it was already undone.</summary>
    /// <returns>200 with the answer, or 409 when rows this same run holds still hang off the row (undo them first, newest first).</returns>
    public static async Task<(Results<Ok<CompensationAnswer>, ProblemHttpResult> Result, bool Replayed)> RunAsync(
        NpgsqlDataSource dataSource, string idempotencyKey, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(time);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var sql = new SqlSession(connection, transaction);
        await IdempotencyStore.LockKeyAsync(sql, idempotencyKey, cancellationToken);

        if (await sql.ScalarAsync($"SELECT answer FROM compensations WHERE idempotency_key = {idempotencyKey}", cancellationToken) is string earlier)
        {
            return (TypedResults.Ok(JsonSerializer.Deserialize(earlier, CrmJsonContext.Default.CompensationAnswer)!), true);
        }

        var now = time.GetUtcNow();
        var hold = await RowHolds.OfKeyAsync(sql, idempotencyKey, cancellationToken);
        var decision = hold is null
            ? Decision.Of(new CompensationAnswer(idempotencyKey, CompensationOutcomes.NothingToUndo, "nothing to undo: no client, partner or benefit was written under this key. A create arriving under it later is refused (409), so it never writes one.", null, null, null, null, [], now))
            : await UndoAsync(sql, idempotencyKey, hold, now, cancellationToken);
        if (decision.Answer is not { } answer)
        {
            return (decision.Refusal!, false);
        }

        await sql.ExecuteAsync($"UPDATE lead_differences SET compensated_at = {now} WHERE idempotency_key = {idempotencyKey} AND compensated_at IS NULL", cancellationToken);
        var stored = JsonSerializer.Serialize(answer, CrmJsonContext.Default.CompensationAnswer);
        await sql.ExecuteAsync($"INSERT INTO compensations (idempotency_key, answer, compensated_at) VALUES ({idempotencyKey}, {stored}, {now})", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogCompensated(logger, idempotencyKey, answer.Outcome, answer.Message);
        return (TypedResults.Ok(answer), false);
    }

    private static async Task<Decision> UndoAsync(SqlSession sql, string key, StoredHold hold, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (kind, id, holder) = (hold.Kind, hold.RowId, hold.Holder);
        var row = $"{kind.Entity} {id}";
        CompensationAnswer Answer(string outcome, string message, IReadOnlyList<RowHolder>? keptFor = null) =>
            new(key, outcome, message, kind.Entity, id, holder.LeadId, holder.RunId, keptFor ?? [], now);

        if (hold.Released || !await HeldRows.LockAsync(sql, kind, id, cancellationToken))
        {
            await RowHolds.ReleaseAsync(sql, key, cancellationToken);
            return Decision.Of(Answer(CompensationOutcomes.AlreadyGone, $"already gone: {row} no longer exists, so there is nothing to delete (a row already gone counts as undone)."));
        }

        await RowHolds.ReleaseAsync(sql, key, cancellationToken);
        var others = await RowHolds.ActiveAsync(sql, kind, id, cancellationToken);
        if (others.Count > 0)
        {
            return Decision.Of(Answer(CompensationOutcomes.Kept, $"kept: {RowHolder.Rely(others)} on it. This run's hold on {row} was released.", others));
        }

        var creator = holder.Created ? holder : await RowHolds.CreatorAsync(sql, kind, id, cancellationToken);
        if (creator is null)
        {
            return Decision.Of(Answer(CompensationOutcomes.Kept, $"kept: {row} was stored before any lead run created it (this run found it). This run's hold was released."));
        }

        var dependants = await HeldRows.DependantsAsync(sql, kind, id, cancellationToken);
        if (dependants.Count > 0)
        {
            var run = new LeadRun(holder.LeadId, holder.RunId);
            var dependantHolders = new List<RowHolder>();
            foreach (var group in dependants.GroupBy(d => d.Kind))
            {
                var held = await RowHolds.ActiveOfRowsAsync(sql, group.Key, [.. group.Select(d => d.Id)], cancellationToken);
                var ownDependant = held.Where(h => h.Holder.IsSameRun(run)).Select(h => (long?)h.RowId).FirstOrDefault();
                if (ownDependant is { } ownId)
                {
                    // The saga undoes newest first; this run still holds a row that hangs off this one.
                    return Decision.Refuse(CrmProblems.Conflict(
                        $"{kind.Title} {id} still has {group.Key.Entity} {ownId}, which this run ({holder.Describe()}) still holds; undo that create first (compensations run newest first). Nothing was changed.",
                        new FieldError("idempotencyKey", "compensation.order", $"{group.Key.Entity} {ownId} of this run must be undone before {row}")));
                }

                dependantHolders.AddRange(held.Select(h => h.Holder));
            }

            var why = dependantHolders.Count > 0
                ? $"{string.Join(", ", dependants)} still reference(s) it and {RowHolder.Rely(dependantHolders)} on that"
                : $"{string.Join(", ", dependants)} still reference(s) it (stored without an Idempotency-Key, so no lead run is named)";
            return Decision.Of(Answer(CompensationOutcomes.Kept, $"kept: {why}. This run's hold on {row} was released.", dependantHolders));
        }

        await HeldRows.DeleteAsync(sql, kind, id, cancellationToken);
        return Decision.Of(Answer(
            CompensationOutcomes.Deleted,
            creator.IdempotencyKey == key
                ? $"deleted: {row} was created by this run and no other lead run relies on it."
                : $"deleted: {row} was created by {creator.Describe()}, which released it, and no lead run relies on it any more."));
    }

    private sealed record Decision(CompensationAnswer? Answer, ProblemHttpResult? Refusal)
    {
        public static Decision Of(CompensationAnswer answer) => new(answer, null);

        public static Decision Refuse(ProblemHttpResult problem) => new(null, problem);
    }

    [LoggerMessage(LogLevel.Information, "Compensation of {IdempotencyKey}: {Outcome}: {Message}")]
    private static partial void LogCompensated(ILogger logger, string idempotencyKey, string outcome, string message);
}
