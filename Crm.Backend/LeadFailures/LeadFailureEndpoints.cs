using System.Text.Json;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LeadFlow.Crm.Backend.LeadFailures;

/// <summary>A recorded failure as listed.</summary>
/// <param name="Compensations">What the error step's undo did, newest first: per create step, the outcome and for which lead runs a row was kept. Empty for rejected leads and records older than it.</param>
/// <param name="Event">The original event with RUT, phone and mail masked (the text, no longer valid JSON for a start); null when none was kept. <c>GET /lead_failures/{id}/event</c> has it whole.</param>
public sealed record LeadFailureView(long Id, string LeadId, string Step, string Reason, string? PayloadReference, IReadOnlyList<ProblemFieldError> Errors, DateTimeOffset RecordedAt, IReadOnlyList<FailureCompensation> Compensations, string? Event = null);

/// <summary>A page of failures, newest first; pass <c>nextBefore</c> as <c>before</c> for the next page (null on the last).</summary>
public sealed record LeadFailurePage(IReadOnlyList<LeadFailureView> Items, long? NextBefore);

/// <summary>Where a person looks for leads that need attention.</summary>
public static class LeadFailureEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapLeadFailures(this IEndpointRouteBuilder routes)
    {
        routes.MapIdempotentCreate<NewLeadFailure, RecordLeadFailureRequest>("/lead_failures", new LeadFailureCreate())
            .WithName("RecordLeadFailure").WithTags("LeadFailures").WithSummary("Records a lead that failed at a step, with the reason.");
        routes.MapGet("/lead_failures", ListAsync)
            .WithName("ListLeadFailures").WithTags("LeadFailures").WithSummary("Lists recorded failures, newest first; filter by leadId, page with limit and before.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        routes.MapGet("/lead_failures/{id:long}/event", EventAsync)
            .WithName("GetLeadFailureEvent").WithTags("LeadFailures")
            .WithSummary("The failed lead's original event, unmasked, for redrive (leadflow redrive); the one answer that carries a lead's personal data.");
        routes.MapIdNotANumber("/lead_failures/{id}/event", HttpMethods.Get);
        return routes;
    }

    private static async Task<Results<Ok<LeadFailurePage>, ProblemHttpResult>> ListAsync(CrmDbContext db, string? leadId, int? limit, long? before, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            return CrmProblems.Validation([new FieldError("limit", "range", $"must be between 1 and {MaxLimit}")]);
        }

        var query = db.LeadFailures.AsNoTracking();
        if (!string.IsNullOrEmpty(leadId))
        {
            query = query.Where(f => f.LeadId == leadId);
        }

        if (before is { } cursor)
        {
            query = query.Where(f => f.Id < cursor);
        }

        var rows = await query.OrderByDescending(f => f.Id).Take(take + 1).ToListAsync(cancellationToken);
        var items = rows.Take(take)
            .Select(f => new LeadFailureView(
                f.Id, f.LeadId, f.Step, f.Reason, f.PayloadReference, JsonSerializer.Deserialize<List<ProblemFieldError>>(f.Errors, Json) ?? [], f.RecordedAt,
                JsonSerializer.Deserialize<List<FailureCompensation>>(f.Compensations, Json) ?? [],
                f.Event is null ? null : PersonalData.Redact(f.Event)))
            .ToList();
        return TypedResults.Ok(new LeadFailurePage(items, rows.Count > take ? items[^1].Id : null));
    }

    private static async Task<Results<ContentHttpResult, NotFound>> EventAsync(CrmDbContext db, long id, CancellationToken cancellationToken)
    {
        var eventJson = await db.LeadFailures.AsNoTracking().Where(f => f.Id == id).Select(f => f.Event).FirstOrDefaultAsync(cancellationToken);
        return eventJson is null ? TypedResults.NotFound() : TypedResults.Content(eventJson, "application/json");
    }
}
