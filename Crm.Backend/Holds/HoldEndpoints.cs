using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LeadFlow.Crm.Backend.Holds;

/// <summary>A hold as an operator reads it: which row, taken by which create, still active or released when.</summary>
/// <param name="Entity"><c>client</c>, <c>partner</c> or <c>benefit</c>.</param>
/// <param name="Created">Whether the create inserted the row (false: it found it stored).</param>
/// <param name="ReleasedAt">When its compensation released it; null while the lead run still relies on the row.</param>
public sealed record HoldView(string Entity, long RowId, string? LeadId, string? RunId, string IdempotencyKey, bool Created, DateTimeOffset HeldAt, DateTimeOffset? ReleasedAt);

/// <summary>
/// <c>GET /holds?leadId=&amp;runId=</c>: the holds a lead's runs took, newest first, so an operator can see what a run that
/// neither completed nor compensated (a terminated workflow, a stopped Step Functions execution) still holds, and
/// undo it key by key with <c>POST /compensations</c>.
/// </summary>
public static class HoldEndpoints
{
    public const int MaxHolds = 500;

    /// <summary>Maps <c>GET /holds</c>: 200 with at most <see cref="MaxHolds"/> <see cref="HoldView"/>s; 400 without <c>leadId</c>.</summary>
    public static IEndpointRouteBuilder MapHolds(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/holds", ListAsync)
            .WithName("ListHolds").WithTags("Compensations")
            .WithSummary("Lists the holds a lead's runs took (active and released), newest first; leadId is required, runId narrows to one run.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static async Task<Results<Ok<List<HoldView>>, ProblemHttpResult>> ListAsync(CrmDbContext db, string? leadId, string? runId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(leadId))
        {
            return CrmProblems.Validation([new FieldError("leadId", "required", "is required: the lead (lead-<event id>) whose holds to list")]);
        }

        var query = db.RowHolds.AsNoTracking().Where(h => h.LeadId == leadId);
        if (!string.IsNullOrEmpty(runId))
        {
            query = query.Where(h => h.RunId == runId);
        }

        return TypedResults.Ok(await query
            .OrderByDescending(h => h.HeldAt).ThenByDescending(h => h.IdempotencyKey)
            .Take(MaxHolds)
            .Select(h => new HoldView(h.Entity, h.RowId, h.LeadId, h.RunId, h.IdempotencyKey, h.Created, h.HeldAt, h.ReleasedAt))
            .ToListAsync(cancellationToken));
    }
}
