using System.Runtime.CompilerServices;
using LeadFlow.Crm.Backend.Creates;

namespace LeadFlow.Crm.Backend.Holds;

/// <summary>A row that references another (a partner or benefit of a client).</summary>
public sealed record DependantRow(HeldRowKind Kind, long Id)
{
    public override string ToString() => $"{Kind.Entity} {Id}";
}

/// <summary>
/// The statements a deletion of a held row needs, for any <see cref="HeldRowKind"/>: lock it, find what hangs off it,
/// delete it. Table names come from the kind (our own literals); values are parameters.
/// </summary>
public static class HeldRows
{
    /// <summary>
    /// Locks the row <c>FOR UPDATE</c> until the transaction ends: creates that found it (they lock it <c>FOR KEY SHARE</c>
    /// until their hold commits) finish first, and later ones wait for the outcome. False when the row does not exist.
    /// </summary>
    public static async Task<bool> LockAsync(SqlSession sql, HeldRowKind kind, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return await sql.ScalarAsync(Sql($"SELECT id FROM {kind.Table} WHERE id = {{0}} FOR UPDATE", id), cancellationToken) is long;
    }

    /// <summary>Whether the row exists (no lock).</summary>
    public static async Task<bool> ExistsAsync(SqlSession sql, HeldRowKind kind, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return await sql.ScalarAsync(Sql($"SELECT id FROM {kind.Table} WHERE id = {{0}}", id), cancellationToken) is long;
    }

    /// <summary>
    /// The rows of the kind's dependants that reference the row. While the row is locked <c>FOR UPDATE</c>, no new
    /// ones can appear: inserting one takes a key-share lock on it.
    /// </summary>
    public static async Task<IReadOnlyList<DependantRow>> DependantsAsync(SqlSession sql, HeldRowKind kind, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var dependants = new List<DependantRow>();
        foreach (var dependant in kind.Dependants)
        {
            await using var command = sql.Command(Sql($"SELECT id FROM {dependant.Table} WHERE {HeldRowKind.DependantColumn} = {{0}} ORDER BY id", id));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                dependants.Add(new DependantRow(dependant, reader.GetInt64(0)));
            }
        }

        return dependants;
    }

    /// <summary>Deletes the row; the caller has locked it and found nothing that hangs off it.</summary>
    public static Task DeleteAsync(SqlSession sql, HeldRowKind kind, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return sql.ExecuteAsync(Sql($"DELETE FROM {kind.Table} WHERE id = {{0}}", id), cancellationToken);
    }

    private static FormattableString Sql(string format, long id) => FormattableStringFactory.Create(format, id);
}
