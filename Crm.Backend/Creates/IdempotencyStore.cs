using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>A create request under an Idempotency-Key, as <see cref="IdempotencyStore"/> judges it.</summary>
/// <param name="Meaning">What the request means; compared with the first request's under the key.</param>
/// <param name="LegacyHash">The byte hash, needed only against records stored before meanings were kept.</param>
/// <param name="Compensable">True for row creates: a compensation of the key refuses the create (a tombstone).</param>
public sealed record KeyedCreate(string Key, RequestMeaning Meaning, Func<string> LegacyHash, bool Compensable);

/// <summary>
/// Idempotency-Key handling: the first successful answer under a key is stored in the same transaction as the row,
/// and replayed for any later request with that key and the same meaning (<see cref="RequestMeaning"/>); another
/// meaning is refused (422) naming the fields that differ. Requests sharing a key, creates and compensations alike,
/// are serialised with a transaction-scoped advisory lock, so concurrent retries see one outcome and a compensation
/// waits for a create still running under its key. Refusals (4xx) are not stored: a retry after the caller fixed
/// the cause is judged afresh.
/// </summary>
public static class IdempotencyStore
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    /// <summary>SHA-256 of the method, path and body bytes: how records were compared before meanings were kept.</summary>
    public static string LegacyRequestHash(HttpRequest request, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Waits for, then holds until the transaction ends, the lock of <paramref name="key"/>.</summary>
    public static Task LockKeyAsync(SqlSession sql, string key, CancellationToken cancellationToken) =>
        sql.ExecuteAsync(LockKey(key), cancellationToken);

    /// <summary>The transaction-scoped advisory lock of a key (PostgreSQL <c>pg_advisory_xact_lock</c> on its 64-bit text hash).</summary>
    private static FormattableString LockKey(string key) => $"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))";

    /// <summary>
    /// Runs <paramref name="execute"/> once per key, in one transaction with the key locked: a compensated key is refused
    /// (409 <c>idempotencyKey.compensated</c>, row creates only), an answered key replays its answer for the same meaning
    /// (header <c>Idempotent-Replayed: true</c>) or is refused for another (422), and a first 200 is stored with the
    /// meaning and committed together with what <paramref name="execute"/> wrote. Anything else rolls back.
    /// </summary>
    public static async Task<Results<Ok<CreateAnswer>, ProblemHttpResult>> RunOnceAsync(
        NpgsqlDataSource dataSource,
        KeyedCreate create,
        HttpResponse response,
        Func<SqlSession, Task<Results<Ok<CreateAnswer>, ProblemHttpResult>>> execute,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(execute);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var sql = new SqlSession(connection, transaction);
        var prior = await LockAndReadPriorAsync(sql, create.Key, cancellationToken);
        if (create.Compensable && prior.CompensatedAt is { } compensatedAt)
        {
            return CrmProblems.Compensated(create.Key, compensatedAt);
        }

        if (prior.Answer is { } firstAnswer)
        {
            if (!SameRequest(create, prior, out var differing))
            {
                return CrmProblems.IdempotencyMismatch(differing);
            }

            response.Headers[ReplayedHeaderName] = "true";
            var replayed = JsonSerializer.Deserialize(firstAnswer, CrmJsonContext.Default.CreateAnswer)!;
            // Answers stored before holds and differences were tracked lack both lists.
            return TypedResults.Ok(replayed with { Holders = replayed.Holders ?? [], DifferingFields = replayed.DifferingFields ?? [] });
        }

        var result = await execute(sql);
        if (result.Result is Ok<CreateAnswer> { Value: { } answer })
        {
            var stored = JsonSerializer.Serialize(answer, CrmJsonContext.Default.CreateAnswer);
            await sql.ExecuteAsync(
                $"INSERT INTO idempotency_keys (key, request_hash, request, answer) VALUES ({create.Key}, {create.Meaning.Hash}, {create.Meaning.Json}, {stored})",
                cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return result;
    }

    private static bool SameRequest(KeyedCreate create, Prior prior, out IReadOnlyList<string> differing)
    {
        differing = [];
        if (prior.Request is null)
        {
            return prior.RequestHash == create.LegacyHash();
        }

        if (prior.RequestHash == create.Meaning.Hash)
        {
            return true;
        }

        differing = create.Meaning.DifferingFields(prior.Request);
        return differing.Count == 0;
    }

    /// <summary>
    /// Takes the key's lock, then reads its compensation time and first request: two statements in one batch (one round
    /// trip). They stay two statements because under READ COMMITTED each statement reads a snapshot taken when it starts,
    /// so the read sees what a holder of the lock committed before releasing it; one statement would read from before the wait.
    /// </summary>
    private static async Task<Prior> LockAndReadPriorAsync(SqlSession sql, string key, CancellationToken cancellationToken)
    {
        await using var batch = sql.Batch(
            LockKey(key),
            $"""
            SELECT c.compensated_at, i.request_hash, i.request, i.answer
            FROM (SELECT {key}::text AS key) k
            LEFT JOIN compensations c ON c.idempotency_key = k.key
            LEFT JOIN idempotency_keys i ON i.key = k.key
            """);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new Prior(
            reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    private sealed record Prior(DateTimeOffset? CompensatedAt, string? RequestHash, string? Request, string? Answer);
}
