namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// INSERT ... ON CONFLICT DO NOTHING RETURNING id, then the existing row's id: one round trip for a new row,
/// and concurrent identical requests all end on the single row the unique index allows.
/// </summary>
public static class NaturalKeyInsert
{
    /// <param name="insert">Returns the new id, or no row when the natural key exists (or a prerequisite is missing).</param>
    /// <param name="lookup">Returns the id of the row holding the natural key, if any.</param>
    /// <returns>The id and whether it was created now; null when neither inserted nor found (a missing prerequisite).</returns>
    public static async Task<(long Id, bool Created)?> RunAsync(SqlSession sql, FormattableString insert, FormattableString lookup, CancellationToken cancellationToken)
    {
        // Two passes cover a row deleted between our conflicting insert and the lookup.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await sql.ScalarAsync(insert, cancellationToken) is long inserted)
            {
                return (inserted, true);
            }

            if (await sql.ScalarAsync(lookup, cancellationToken) is long existing)
            {
                return (existing, false);
            }
        }

        return null;
    }
}
