using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// Idempotency-Key handling: the first successful answer under a key is stored in the same transaction as
/// the row, and replayed for any later request with that key and the same body. Requests sharing a key are
/// serialised with a transaction-scoped advisory lock, so concurrent retries see one outcome. Refusals (4xx)
/// are not stored: a retry after the caller fixed the cause is judged afresh.
/// </summary>
public static class IdempotencyStore
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    public static string RequestHash(HttpRequest request, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static async Task<Results<Ok<CreateAnswer>, ProblemHttpResult>> RunOnceAsync(
        NpgsqlDataSource dataSource,
        string key,
        string requestHash,
        HttpResponse response,
        Func<SqlSession, Task<Results<Ok<CreateAnswer>, ProblemHttpResult>>> execute,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var sql = new SqlSession(connection, transaction);
        await sql.ExecuteAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);

        if (await FirstAsync(sql, key, cancellationToken) is var (firstHash, firstAnswer))
        {
            if (firstHash != requestHash)
            {
                return CrmProblems.IdempotencyMismatch();
            }

            response.Headers[ReplayedHeaderName] = "true";
            return TypedResults.Ok(JsonSerializer.Deserialize(firstAnswer, CrmJsonContext.Default.CreateAnswer)!);
        }

        var result = await execute(sql);
        if (result.Result is Ok<CreateAnswer> { Value: { } answer })
        {
            var stored = JsonSerializer.Serialize(answer, CrmJsonContext.Default.CreateAnswer);
            await sql.ExecuteAsync($"INSERT INTO idempotency_keys (key, request_hash, answer) VALUES ({key}, {requestHash}, {stored})", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return result;
    }

    private static async Task<(string RequestHash, string Answer)?> FirstAsync(SqlSession sql, string key, CancellationToken cancellationToken)
    {
        await using var command = sql.Command($"SELECT request_hash, answer FROM idempotency_keys WHERE key = {key}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }
}
