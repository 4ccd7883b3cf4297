using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// The one shape of every create endpoint: read the body whatever its Content-Type (bounded), validate it with
/// the definition's rules, insert by natural key, answer 200 with <see cref="CreateAnswer"/>; with an
/// Idempotency-Key, replay the first answer. Clients, partners, benefits and lead failures are instances.
/// </summary>
public static partial class IdempotentCreateEndpoint
{
    /// <typeparam name="TRequest">The documented body (OpenAPI only; the body is read leniently by the definition).</typeparam>
    public static RouteHandlerBuilder MapIdempotentCreate<TCommand, TRequest>(this IEndpointRouteBuilder routes, string pattern, ICreateDefinition<TCommand> definition)
        where TCommand : class
        where TRequest : notnull
    {
        return routes.MapPost(pattern, (HttpContext http, CrmDbContext db, IOptions<CrmOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken) =>
                HandleAsync(definition, http, db, options.Value, loggers.CreateLogger(typeof(IdempotentCreateEndpoint)), cancellationToken))
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                // Described here, not with Accepts<T>(): Accepts makes routing refuse other Content-Types with 415,
                // and the original clients sent JSON as text/plain, as a form, or with no Content-Type at all.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "JSON, whatever the Content-Type header says.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(TRequest), null, cancellationToken) },
                    },
                };
            })
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Results<Ok<CreateAnswer>, ProblemHttpResult>> HandleAsync<TCommand>(
        ICreateDefinition<TCommand> definition, HttpContext http, CrmDbContext db, CrmOptions options, ILogger logger, CancellationToken cancellationToken)
        where TCommand : class
    {
        var (body, bodyProblem) = await JsonRequestBody.ReadAsync(http.Request, options.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return bodyProblem!;
        }

        using (body)
        {
            if (!definition.TryRead(body.Root, out var command, out var errors))
            {
                LogRefused(logger, definition.Entity, string.Join("; ", errors));
                return CrmProblems.Validation(errors);
            }

            var key = http.Request.Headers[IdempotencyStore.HeaderName].ToString();
            if (key.Length == 0)
            {
                // No key: no transaction and no extra round trip; the natural key alone keeps it to one row.
                return await CreateAsync(definition, command, db, logger, cancellationToken);
            }

            if (key.Length > CrmDbContext.MaxIdempotencyKeyLength)
            {
                return CrmProblems.Validation([new FieldError(IdempotencyStore.HeaderName, "maxLength", $"must be at most {CrmDbContext.MaxIdempotencyKeyLength} characters")]);
            }

            var hash = IdempotencyStore.RequestHash(http.Request, body.Bytes);
            return await IdempotencyStore.RunOnceAsync(db, key, hash, http.Response, () => CreateAsync(definition, command, db, logger, cancellationToken), cancellationToken);
        }
    }

    private static async Task<Results<Ok<CreateAnswer>, ProblemHttpResult>> CreateAsync<TCommand>(
        ICreateDefinition<TCommand> definition, TCommand command, CrmDbContext db, ILogger logger, CancellationToken cancellationToken)
        where TCommand : class
    {
        var outcome = await definition.InsertAsync(db, command, cancellationToken);
        if (outcome.Refusal is { } refusal)
        {
            LogRefused(logger, definition.Entity, refusal.ProblemDetails.Detail ?? "");
            return refusal;
        }

        LogStored(logger, definition.Entity, outcome.Id, outcome.Created, definition.Describe(command));
        var entity = $"{char.ToUpperInvariant(definition.Entity[0])}{definition.Entity[1..]}";
        return TypedResults.Ok(outcome.Created
            ? new CreateAnswer(StatusCodes.Status200OK, $"{entity} created", $"The {definition.Entity} was stored with id {outcome.Id}.", outcome.Id, Created: true)
            : new CreateAnswer(StatusCodes.Status200OK, $"{entity} already existed", $"The {definition.Entity} was already stored with id {outcome.Id}; nothing was written.", outcome.Id, Created: false));
    }

    [LoggerMessage(LogLevel.Information, "{Entity} {Id} stored (created now: {Created}): {Description}")]
    private static partial void LogStored(ILogger logger, string entity, long id, bool created, string description);

    [LoggerMessage(LogLevel.Information, "{Entity} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string entity, string reason);
}
