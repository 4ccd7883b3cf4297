using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Crm.Backend.LeadDifferences;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Npgsql;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// The one shape of every create endpoint: read the body whatever its Content-Type (bounded), validate it with the
/// definition's rules, insert by natural key, answer 200 with <see cref="CreateAnswer"/>; with an Idempotency-Key,
/// replay the first answer to a request of the same meaning. Row creates (<see cref="IHeldRowCreate{TCommand}"/>)
/// also take the lead run's hold on the row (reference tracking) and record what differs from a row found stored.
/// Clients, partners, benefits and lead failures are instances.
/// </summary>
public static partial class IdempotentCreateEndpoint
{
    /// <typeparam name="TRequest">The documented body (OpenAPI only; the body is read leniently by the definition).</typeparam>
    public static RouteHandlerBuilder MapIdempotentCreate<TCommand, TRequest>(this IEndpointRouteBuilder routes, string pattern, ICreateDefinition<TCommand> definition)
        where TCommand : class
        where TRequest : notnull
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(definition);
        // Resolved once: a create should spend its time on the body and the database, not on the container.
        var services = routes.ServiceProvider;
        var create = new CreateContext<TCommand>(
            definition,
            definition as IHeldRowCreate<TCommand>,
            $"POST {pattern}",
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
                operation.Parameters ??= [];
                operation.Parameters.Add(Header(IdempotencyStore.HeaderName, CrmDbContext.MaxIdempotencyKeyLength, create.Rows is null
                    ? "Makes a retry replay the first answer. Same key, other meaning: 422."
                    : "Makes a retry replay the first answer (same key, other meaning: 422) and takes the lead run's hold on the row. Form lead-<event id>:<run id>:<step> names the lead run; undo with POST /compensations."));
                if (create.Rows is not null)
                {
                    operation.Parameters.Add(Header(LeadRun.LeadIdHeader, CrmDbContext.MaxLeadIdLength, "The lead (lead-<event id>) the create is for; with X-Run-Id, instead of reading both from the Idempotency-Key."));
                    operation.Parameters.Add(Header(LeadRun.RunIdHeader, CrmDbContext.MaxRunIdLength, "The lead's run (Temporal run id, Step Functions execution name); with X-Lead-Id."));
                }
            })
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static OpenApiParameter Header(string name, int maxLength, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength },
    };

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
            create.Definition.TryRead(body.Root, out var command, out var readErrors);
            List<FieldError> errors = [.. readErrors];
            var eventTime = create.Rows is null ? null : LeadEventTime.Read(body.Root, errors);
            if (command is null || errors.Count > 0)
            {
                LogRefused(create.Logger, create.Definition.Entity, string.Join("; ", errors));
                return CrmProblems.Validation(errors);
            }

            var key = http.Request.Headers[IdempotencyStore.HeaderName].ToString();
            if (key.Length > CrmDbContext.MaxIdempotencyKeyLength)
            {
                return CrmProblems.Validation([new FieldError(IdempotencyStore.HeaderName, "maxLength", $"must be at most {CrmDbContext.MaxIdempotencyKeyLength} characters")]);
            }

            if (!LeadRun.TryRead(http.Request, key.Length == 0 ? null : key, out var run, out var runError))
            {
                return CrmProblems.Validation([runError]);
            }

            if (key.Length == 0)
            {
                // No key: no transaction, no hold and no extra round trip; the natural key alone keeps it to one row.
                await using var connection = await create.DataSource.OpenConnectionAsync(cancellationToken);
                return await CreateAsync(create, new CreateRequest<TCommand>(command, null, run, eventTime), new SqlSession(connection, Transaction: null), cancellationToken);
            }

            var keyed = new KeyedCreate(
                key,
                RequestMeaning.Of(create.Route, run, eventTime, command, create.Definition.CommandJson),
                () => IdempotencyStore.LegacyRequestHash(http.Request, body.Bytes),
                Compensable: create.Rows is not null);
            return await IdempotencyStore.RunOnceAsync(
                create.DataSource, keyed, http.Response, sql => CreateAsync(create, new CreateRequest<TCommand>(command, key, run, eventTime), sql, cancellationToken), cancellationToken);
        }
    }

    private static async Task<Results<Ok<CreateAnswer>, ProblemHttpResult>> CreateAsync<TCommand>(
        CreateContext<TCommand> create, CreateRequest<TCommand> request, SqlSession sql, CancellationToken cancellationToken)
        where TCommand : class
    {
        var (definition, entity, logger) = (create.Definition, create.Definition.Entity, create.Logger);
        var outcome = await definition.InsertAsync(sql, request.Command, cancellationToken);
        if (outcome.Refusal is { } refusal)
        {
            LogRefused(logger, entity, refusal.ProblemDetails.Detail ?? "");
            return refusal;
        }

        IReadOnlyList<RowHolder> holders = [];
        IReadOnlyList<FieldDifference> differences = [];
        if (create.Rows is { } rows)
        {
            holders = request.Key is { } key ? await RowHolds.TakeAsync(sql, key, rows.Kind, outcome.Id, request.Run, outcome.Created, cancellationToken)
                : outcome.Created ? []
                : await RowHolds.ActiveAsync(sql, rows.Kind, outcome.Id, cancellationToken);
            if (outcome.StoredValues is { Count: > 0 } stored)
            {
                differences = LeadDifferenceLog.Compare(rows, request.Command, stored);
                if (differences.Count > 0)
                {
                    var rut = rows.RutOf(request.Command);
                    await LeadDifferenceLog.RecordAsync(sql, rows.Kind, outcome.Id, rut, request.Run, request.Key, request.EventTime, differences, cancellationToken);
                    LeadDifferenceLog.Log(logger, rows, outcome.Id, rut, request.Run, differences);
                }
            }
        }

        // Describe masks personal data into a new string: only worth it when the line is written.
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogStored(logger, entity, outcome.Id, outcome.Created, holders.Count, definition.Describe(request.Command));
        }

        string[] differing = [.. differences.Select(d => d.Field)];
        return TypedResults.Ok(outcome.Created
            ? new CreateAnswer(StatusCodes.Status200OK, $"{create.Title} created", $"The {entity} was stored with id {outcome.Id}.", outcome.Id, Created: true, holders, differing)
            : new CreateAnswer(StatusCodes.Status200OK, $"{create.Title} already existed", AlreadyStored(entity, outcome.Id, differing), outcome.Id, Created: false, holders, differing));
    }

    private static string AlreadyStored(string entity, long id, string[] differing) => differing.Length == 0
        ? $"The {entity} was already stored with id {id}; nothing was changed."
        : $"The {entity} was already stored with id {id}; nothing was changed. Its {string.Join(", ", differing)} differ(s) from this request: the stored values were kept and the difference recorded for review (GET /lead_differences).";

    /// <summary>What one create endpoint needs on every request, resolved when it is mapped.</summary>
    /// <param name="Rows">The definition as a row create (held, compensable, compared); null for lead failure records.</param>
    /// <param name="Route">Method and path, part of a request's meaning.</param>
    private sealed record CreateContext<TCommand>(ICreateDefinition<TCommand> Definition, IHeldRowCreate<TCommand>? Rows, string Route, string Title, NpgsqlDataSource DataSource, IOptions<CrmOptions> Options, ILogger Logger)
        where TCommand : class;

    /// <summary>One validated create: the command, its key (null without one), the lead run and the event time.</summary>
    private sealed record CreateRequest<TCommand>(TCommand Command, string? Key, LeadRun Run, DateTimeOffset? EventTime)
        where TCommand : class;

    [LoggerMessage(LogLevel.Information, "{Entity} {Id} stored (created now: {Created}, lead runs relying on it: {Holders}): {Description}")]
    private static partial void LogStored(ILogger logger, string entity, long id, bool created, int holders, string description);

    [LoggerMessage(LogLevel.Information, "{Entity} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string entity, string reason);
}
