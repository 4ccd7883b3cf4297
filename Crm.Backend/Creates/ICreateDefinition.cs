using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// What differs between the create endpoints: how a body is read and validated, and how the row is inserted.
/// Everything else (body limits, JSON errors, idempotency, answers, logging) is <see cref="IdempotentCreateEndpoint"/>.
/// </summary>
public interface ICreateDefinition<TCommand>
    where TCommand : class
{
    /// <summary>The thing created, as a person says it: <c>client</c>.</summary>
    string Entity { get; }

    bool TryRead(JsonElement body, [NotNullWhen(true)] out TCommand? command, out IReadOnlyList<FieldError> errors);

    /// <summary>Inserts the row unless its natural key already exists; never makes a second row.</summary>
    Task<CreateOutcome> InsertAsync(SqlSession sql, TCommand command, CancellationToken cancellationToken);

    /// <summary>The command for a log line, personal data masked.</summary>
    string Describe(TCommand command);
}

/// <summary>The row's id and whether this request created it, or why it was refused.</summary>
public readonly record struct CreateOutcome(long Id, bool Created, ProblemHttpResult? Refusal)
{
    public static CreateOutcome Stored(long id, bool created) => new(id, created, null);

    public static CreateOutcome Refused(ProblemHttpResult problem) => new(0, false, problem);
}

/// <summary>
/// The answer of every create endpoint: the original contract's <c>statusCode</c>, <c>message</c> and
/// <c>description</c>, plus the row's <c>id</c> and whether it was <c>created</c> now (false: it already existed),
/// so a compensation undoes only what its own run created.
/// </summary>
public sealed record CreateAnswer(int StatusCode, string Message, string Description, long Id, bool Created);
