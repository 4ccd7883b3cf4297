namespace LeadFlow.Crm.Backend.Creates;

/// <summary>The row a natural-key insert ended on: its id, whether this insert made it, and its stored values when it did not.</summary>
/// <param name="StoredValues">The lookup's columns after the id, as text, when the row already existed; empty when created now.</param>
public sealed record NaturalKeyRow(long Id, bool Created, IReadOnlyList<string> StoredValues);

/// <summary>
/// INSERT ... ON CONFLICT DO NOTHING RETURNING id, then the existing row: one round trip for a new row, and concurrent
/// identical requests all end on the single row the unique index allows.
/// </summary>
public static class NaturalKeyInsert
{
    /// <param name="insert">Returns the new id, or no row when the natural key exists (or a prerequisite is missing).</param>
    /// <param name="lookup">
    /// Returns the id of the row holding the natural key, then the values to compare as text, locked <c>FOR KEY SHARE</c>
    /// so the row cannot be deleted (by a compensation) before this transaction commits its hold on it.
    /// </param>
    /// <returns>The row; null when neither inserted nor found (a missing prerequisite).</returns>
    public static async Task<NaturalKeyRow?> RunAsync(SqlSession sql, FormattableString insert, FormattableString lookup, CancellationToken cancellationToken)
    {
        // Two passes cover a row deleted between our conflicting insert and the lookup.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await sql.ScalarAsync(insert, cancellationToken) is long inserted)
            {
                return new NaturalKeyRow(inserted, true, []);
            }

            await using var command = sql.Command(lookup);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var stored = new string[reader.FieldCount - 1];
                for (var i = 0; i < stored.Length; i++)
                {
                    stored[i] = reader.GetString(i + 1);
                }

                return new NaturalKeyRow(reader.GetInt64(0), false, stored);
            }
        }

        return null;
    }
}
