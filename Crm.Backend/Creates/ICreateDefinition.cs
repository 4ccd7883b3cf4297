using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// What differs between the create endpoints: how a body is read and validated, and how the row is inserted.
/// Everything else (body limits, JSON errors, idempotency, holds, differences, answers, logging) is
/// <see cref="IdempotentCreateEndpoint"/>.
/// </summary>
public interface ICreateDefinition<TCommand>
    where TCommand : class
{
    /// <summary>The thing created, as a person says it: <c>client</c>.</summary>
    string Entity { get; }

    /// <summary>
    /// The parsed, normalised command as JSON: what a request means. Two requests under one Idempotency-Key are
    /// the same request when their meanings are equal, whatever the property order, whitespace or null-vs-absent.
    /// </summary>
    JsonTypeInfo<TCommand> CommandJson { get; }

    bool TryRead(JsonElement body, [NotNullWhen(true)] out TCommand? command, out IReadOnlyList<FieldError> errors);

    /// <summary>Inserts the row unless its natural key already exists; never makes a second row.</summary>
    Task<CreateOutcome> InsertAsync(SqlSession sql, TCommand command, CancellationToken cancellationToken);

    /// <summary>The command for a log line, personal data masked.</summary>
    string Describe(TCommand command);
}

/// <summary>
/// A create of a CRM row that lead runs rely on (client, partner, benefit): the create takes a hold on the row,
/// its compensation is asked by Idempotency-Key, and a row found already stored is compared with the request.
/// </summary>
public interface IHeldRowCreate<TCommand> : ICreateDefinition<TCommand>
    where TCommand : class
{
    HeldRowKind Kind { get; }

    /// <summary>The normalised RUT the command is about (the natural key).</summary>
    string RutOf(TCommand command);

    /// <summary>
    /// The fields compared with a row found already stored, in the order <see cref="ICreateDefinition{TCommand}.InsertAsync"/>
    /// returns the stored values (<see cref="CreateOutcome.StoredValues"/>).
    /// </summary>
    IReadOnlyList<ComparedField<TCommand>> ComparedFields { get; }
}

/// <summary>A field compared between a request and the row it found: how to read it, when two values mean the same, how to log it.</summary>
/// <param name="Name">The contract's field name: <c>mail</c>.</param>
/// <param name="Submitted">The request's value as stored text (booleans as <c>true</c>/<c>false</c>).</param>
/// <param name="Same">Whether the stored and the submitted value mean the same (e.g. a phone number's digits).</param>
/// <param name="MaskForLog">The value as a log line may show it (personal data masked, see <see cref="PersonalData"/>).</param>
public sealed record ComparedField<TCommand>(string Name, Func<TCommand, string> Submitted, Func<string, string, bool> Same, Func<string, string> MaskForLog)
{
    /// <summary>Values compared exactly (ordinal) and shown as they are in logs: not personal data.</summary>
    public static ComparedField<TCommand> Plain(string name, Func<TCommand, string> submitted) =>
        new(name, submitted, static (a, b) => string.Equals(a, b, StringComparison.Ordinal), static v => v);
}

/// <summary>The row's id and whether this request created it, or why it was refused.</summary>
/// <param name="StoredValues">When the row already existed: its values of the definition's compared fields, in their order.</param>
public readonly record struct CreateOutcome(long Id, bool Created, ProblemHttpResult? Refusal, IReadOnlyList<string>? StoredValues = null)
{
    public static CreateOutcome Stored(long id, bool created, IReadOnlyList<string>? storedValues = null) => new(id, created, null, storedValues);

    public static CreateOutcome Refused(ProblemHttpResult problem) => new(0, false, problem);
}

/// <summary>
/// The answer of every create endpoint: the original contract's <c>statusCode</c>, <c>message</c> and
/// <c>description</c>, plus the row's <c>id</c> and whether it was <c>created</c> now (false: it already existed),
/// <c>holders</c>: the lead runs that rely on the row, this one included, as of this answer (a replay repeats the
/// first answer's list), and <c>differingFields</c>: the fields whose submitted values differ from the stored row's,
/// recorded for review (<c>GET /lead_differences</c>) and not applied. Both lists are empty for lead failure records.
/// </summary>
public sealed record CreateAnswer(int StatusCode, string Message, string Description, long Id, bool Created, IReadOnlyList<RowHolder> Holders, IReadOnlyList<string> DifferingFields);
