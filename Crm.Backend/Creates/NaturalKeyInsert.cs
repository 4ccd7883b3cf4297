using System.Globalization;
using LeadFlow.Crm.Backend.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// INSERT ... ON CONFLICT DO NOTHING RETURNING id, then the existing row's id: one round trip for a new row,
/// and concurrent identical requests all end on the single row the unique index allows.
/// This is the hot path, so it runs as a plain parameterised Npgsql command on the context's connection
/// (inside its transaction, when there is one) rather than through EF's query pipeline.
/// </summary>
public static class NaturalKeyInsert
{
    /// <param name="insert">Returns the new id, or no row when the natural key exists (or a prerequisite is missing).</param>
    /// <param name="lookup">Returns the id of the row holding the natural key, if any.</param>
    /// <returns>The id and whether it was created now; null when neither inserted nor found (a missing prerequisite).</returns>
    public static async Task<(long Id, bool Created)?> RunAsync(CrmDbContext db, FormattableString insert, FormattableString lookup, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // Two passes cover a row deleted between our conflicting insert and the lookup.
            for (var attempt = 0; attempt < 2; attempt++)
            {
                if (await ScalarAsync(db, insert, cancellationToken) is long inserted)
                {
                    return (inserted, true);
                }

                if (await ScalarAsync(db, lookup, cancellationToken) is long existing)
                {
                    return (existing, false);
                }
            }

            return null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Runs an interpolated SQL string with every interpolation as a positional parameter ($1, $2, ...).</summary>
    public static async Task<object?> ScalarAsync(CrmDbContext db, FormattableString sql, CancellationToken cancellationToken)
    {
        var placeholders = Enumerable.Range(1, sql.ArgumentCount).Select(i => (object)$"${i}").ToArray();
        await using var command = new NpgsqlCommand(string.Format(CultureInfo.InvariantCulture, sql.Format, placeholders), (NpgsqlConnection)db.Database.GetDbConnection())
        {
            Transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction,
        };
        foreach (var argument in sql.GetArguments())
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument ?? DBNull.Value });
        }

        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
