using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Npgsql;

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
        // Resolved once: a create should spend its time on the body and the database, not on the container.
        var services = routes.ServiceProvider;
        var create = new CreateContext<TCommand>(
            definition,
            RowEndpoints.Capitalized(definition.Entity),
            services.GetRequiredService<NpgsqlDataSource>(),
            services.GetRequiredService<IOptions<CrmOptions>>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdempotentCreateEndpoint)));
        return routes.MapPost(pattern, (HttpContext http, CancellationToken cancellationToken) => HandleAsync(create, http, cancellationToken))
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

    private static async Task<Results<Ok<CreateAnswer>, ProblemHttpResult>> HandleAsync<TCommand>(CreateContext<TCommand> create, HttpContext http, CancellationToken cancellationToken)
        where TCommand : class
    {
        var (body, bodyProblem) = await JsonRequestBody.ReadAsync(http.Request, create.Options.Value.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return bodyProblem!;
        }

        using (body)
        {
            if (!create.Definition.TryRead(body.Root, out var command, out var errors))
            {
                LogRefused(create.Logger, create.Definition.Entity, string.Join("; ", errors));
                return CrmProblems.Validation(errors);
            }

            var key = http.Request.Headers[IdempotencyStore.HeaderName].ToString();
            if (key.Length == 0)
            {
                // No key: no transaction and no extra round trip; the natural key alone keeps it to one row.
                await using var connection = await create.DataSource.OpenConnectionAsync(cancellationToken);
                return await CreateAsync(create, command, new SqlSession(connection, Transaction: null), cancellationToken);
            }

            if (key.Length > CrmDbContext.MaxIdempotencyKeyLength)
            {
                return CrmProblems.Validation([new FieldError(IdempotencyStore.HeaderName, "maxLength", $"must be at most {CrmDbContext.MaxIdempotencyKeyLength} characters")]);
            }

            var hash = IdempotencyStore.RequestHash(http.Request, body.Bytes);
            return await IdempotencyStore.RunOnceAsync(create.DataSource, key, hash, http.Response, sql => CreateAsync(create, command, sql, cancellationToken), cancellationToken);
        }
    }

    private static async Task<Results<Ok<CreateAnswer>, ProblemHttpResult>> CreateAsync<TCommand>(
        CreateContext<TCommand> create, TCommand command, SqlSession sql, CancellationToken cancellationToken)
        where TCommand : class
    {
        var (definition, entity, logger) = (create.Definition, create.Definition.Entity, create.Logger);
        var outcome = await definition.InsertAsync(sql, command, cancellationToken);
        if (outcome.Refusal is { } refusal)
        {
            LogRefused(logger, entity, refusal.ProblemDetails.Detail ?? "");
            return refusal;
        }

        // Describe masks personal data into a new string: only worth it when the line is written.
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogStored(logger, entity, outcome.Id, outcome.Created, definition.Describe(command));
        }

        return TypedResults.Ok(outcome.Created
            ? new CreateAnswer(StatusCodes.Status200OK, $"{create.Title} created", $"The {entity} was stored with id {outcome.Id}.", outcome.Id, Created: true)
            : new CreateAnswer(StatusCodes.Status200OK, $"{create.Title} already existed", $"The {entity} was already stored with id {outcome.Id}; nothing was written.", outcome.Id, Created: false));
    }

    /// <summary>What one create endpoint needs on every request, resolved when it is mapped.</summary>
    private sealed record CreateContext<TCommand>(ICreateDefinition<TCommand> Definition, string Title, NpgsqlDataSource DataSource, IOptions<CrmOptions> Options, ILogger Logger)
        where TCommand : class;

    [LoggerMessage(LogLevel.Information, "{Entity} {Id} stored (created now: {Created}): {Description}")]
    private static partial void LogStored(ILogger logger, string entity, long id, bool created, string description);

    [LoggerMessage(LogLevel.Information, "{Entity} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string entity, string reason);
}
