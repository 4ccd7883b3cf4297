using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// The open connection a create writes on, inside the Idempotency-Key transaction when there is one.
/// Creates are the hot path, so they run plain parameterised Npgsql commands on the shared
/// <see cref="NpgsqlDataSource"/> rather than through a DbContext and EF's query pipeline.
/// </summary>
public readonly record struct SqlSession(NpgsqlConnection Connection, NpgsqlTransaction? Transaction)
{
    // The formats are the literals of our own SQL, so this holds a handful of entries.
    private static readonly ConcurrentDictionary<string, string> PositionalSql = new(StringComparer.Ordinal);

    public async Task<object?> ScalarAsync(FormattableString sql, CancellationToken cancellationToken)
    {
        await using var command = Command(sql);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task ExecuteAsync(FormattableString sql, CancellationToken cancellationToken)
    {
        await using var command = Command(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>An interpolated SQL string with every interpolation as a positional parameter ($1, $2, ...), never as text.</summary>
    public NpgsqlCommand Command(FormattableString sql)
    {
        var command = new NpgsqlCommand(Positional(sql), Connection, Transaction);
        AddParameters(command.Parameters, sql);
        return command;
    }

    /// <summary>
    /// Statements sent in one round trip and run in order (each under its own snapshot in READ COMMITTED), parameterised
    /// as <see cref="Command"/>; the reader yields one result set per statement that returns rows.
    /// </summary>
    public NpgsqlBatch Batch(params FormattableString[] statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var batch = new NpgsqlBatch(Connection, Transaction);
        foreach (var statement in statements)
        {
            var command = new NpgsqlBatchCommand(Positional(statement));
            AddParameters(command.Parameters, statement);
            batch.BatchCommands.Add(command);
        }

        return batch;
    }

    private static string Positional(FormattableString sql) =>
        PositionalSql.GetOrAdd(sql.Format, static (format, count) =>
            string.Format(CultureInfo.InvariantCulture, format, Enumerable.Range(1, count).Select(i => (object)$"${i}").ToArray()), sql.ArgumentCount);

    private static void AddParameters(NpgsqlParameterCollection parameters, FormattableString sql)
    {
        foreach (var argument in sql.GetArguments())
        {
            parameters.Add(new NpgsqlParameter { Value = argument ?? DBNull.Value });
        }
    }
}
