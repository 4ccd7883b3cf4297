using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

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

    private static readonly JsonSerializerOptions AnswerJson = new(JsonSerializerDefaults.Web);

    public static string RequestHash(HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static async Task<Results<Ok<CreateAnswer>, ProblemHttpResult>> RunOnceAsync(
        CrmDbContext db,
        string key,
        string requestHash,
        HttpResponse response,
        Func<Task<Results<Ok<CreateAnswer>, ProblemHttpResult>>> execute,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);

        var first = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, cancellationToken);
        if (first is not null)
        {
            if (first.RequestHash != requestHash)
            {
                return CrmProblems.IdempotencyMismatch();
            }

            response.Headers[ReplayedHeaderName] = "true";
            return TypedResults.Ok(JsonSerializer.Deserialize<CreateAnswer>(first.Answer, AnswerJson)!);
        }

        var result = await execute();
        if (result.Result is Ok<CreateAnswer> { Value: { } answer })
        {
            var stored = JsonSerializer.Serialize(answer, AnswerJson);
            await db.Database.ExecuteSqlAsync($"INSERT INTO idempotency_keys (key, request_hash, answer) VALUES ({key}, {requestHash}, {stored})", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return result;
    }
}
