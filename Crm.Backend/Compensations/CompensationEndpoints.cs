using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Npgsql;

namespace LeadFlow.Crm.Backend.Compensations;

/// <summary>
/// <c>POST /compensations</c>: undo a create by the Idempotency-Key it was made under (see <see cref="CreateCompensation"/>).
/// A compensation is a recorded fact, one per key: posting it again repeats the first answer (header
/// <c>Idempotent-Replayed: true</c>).
/// </summary>
public static class CompensationEndpoints
{
    public const string Path = "/compensations";

    /// <summary>Maps <c>POST /compensations</c>: body <see cref="CompensationRequest"/>, answer <see cref="CompensationAnswer"/> (200), 400, 409, 413.</summary>
    public static IEndpointRouteBuilder MapCompensations(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, CompensateAsync)
            .WithName("CompensateCreate").WithTags("Compensations")
            .WithSummary("Undoes the create made under an Idempotency-Key: releases its lead run's hold, deletes the row only when no lead run relies on it any more.")
            .WithDescription("Always 200 for an undo, whatever its outcome: deleted, kept (another lead run relies on the row, or this run did not create it; the message says for whom), already-gone (404 counts as undone) or nothing-to-undo (the create never arrived; a late arrival is then refused). Waits for a create still running under the key. Idempotent. 409 only when rows this same run still holds hang off the row: undo newest first.")
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "JSON, whatever the Content-Type header says.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(CompensationRequest), null, cancellationToken) },
                    },
                };
            })
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return routes;
    }

    private static async Task<Results<Ok<CompensationAnswer>, ProblemHttpResult>> CompensateAsync(
        HttpContext http, NpgsqlDataSource dataSource, IOptions<CrmOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await JsonRequestBody.ReadAsync(http.Request, options.Value.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return bodyProblem!;
        }

        using (body)
        {
            if (BodyFields.Of(body.Root, out var bodyErrors) is not { } fields)
            {
                return CrmProblems.Validation(bodyErrors);
            }

            var key = fields.Text("idempotencyKey", static (field, value) =>
                string.IsNullOrWhiteSpace(value) ? new FieldError(field, "required", "is required: the Idempotency-Key of the create to undo")
                : value.Length > CrmDbContext.MaxIdempotencyKeyLength ? new FieldError(field, "maxLength", $"must be at most {CrmDbContext.MaxIdempotencyKeyLength} characters")
                : null);
            if (key is null)
            {
                return CrmProblems.Validation(fields.Errors);
            }

            var logger = loggers.CreateLogger(typeof(CompensationEndpoints));
            var (result, replayed) = await CreateCompensation.RunAsync(dataSource, key, TimeProvider.System, logger, cancellationToken);
            if (replayed)
            {
                http.Response.Headers[IdempotencyStore.ReplayedHeaderName] = "true";
            }

            return result;
        }
    }
}
