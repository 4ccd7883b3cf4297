using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Crm.Backend.LeadFailures;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LeadFlow.Crm.Backend.LeadDifferences;

/// <summary>
/// A value a lead brought that differs from the stored row (kept for review, not applied). Values are shown
/// unmasked: this is the place a person reviews them (API key required).
/// </summary>
/// <param name="Entity"><c>client</c>, <c>partner</c> or <c>benefit</c>.</param>
/// <param name="EventTime">When the lead's event happened (RFC 3339), if the create said so.</param>
/// <param name="CompensatedAt">When the create that found it was compensated (its run failed or was cancelled); null otherwise.</param>
public sealed record LeadDifferenceView(
    long Id,
    string? LeadId,
    string? RunId,
    string? IdempotencyKey,
    string Entity,
    long RowId,
    string Rut,
    string Field,
    string StoredValue,
    string SubmittedValue,
    DateTimeOffset? EventTime,
    DateTimeOffset RecordedAt,
    DateTimeOffset? CompensatedAt);

/// <summary>A page of differences, newest first; pass <c>nextBefore</c> as <c>before</c> for the next page (null on the last).</summary>
public sealed record LeadDifferencePage(IReadOnlyList<LeadDifferenceView> Items, long? NextBefore);

/// <summary>A lookup of differences by RUT: the RUT in the body, and the page (<c>limit</c> 1..500, <c>before</c> a cursor).</summary>
public sealed record LeadDifferenceLookupRequest(string Rut, int? Limit = null, long? Before = null);

/// <summary>Where a person looks for values leads brought that the CRM did not take: <c>GET /lead_differences</c>, <c>POST /lead_differences/by-rut</c>.</summary>
public static class LeadDifferenceEndpoints
{
    /// <summary>
    /// Maps <c>GET /lead_differences</c> (filter by lead) and <c>POST /lead_differences/by-rut</c> (filter by a RUT sent in the
    /// body, never in the URL): 200 with a <see cref="LeadDifferencePage"/>; 400 for a bad RUT, a <c>rut</c> in the query
    /// string, or a limit outside 1..500.
    /// </summary>
    public static IEndpointRouteBuilder MapLeadDifferences(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/lead_differences", ListAsync)
            .WithName("ListLeadDifferences").WithTags("LeadDifferences")
            .WithSummary("Lists values leads brought that differ from the stored rows (kept for review), newest first; filter by leadId, page with limit and before. By RUT: POST /lead_differences/by-rut.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        routes.MapPost("/lead_differences" + RutLookup.Pattern, FindByRutAsync)
            .AcceptsRutLookup<LeadDifferenceLookupRequest>()
            .WithName("FindLeadDifferencesByRut").WithTags("LeadDifferences")
            .WithSummary("Lists the differences of a RUT sent in the body ({\"rut\", \"limit\", \"before\"}), newest first; read key.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static async Task<Results<Ok<LeadDifferencePage>, ProblemHttpResult>> ListAsync(HttpRequest request, CrmDbContext db, string? leadId, int? limit, long? before, CancellationToken cancellationToken)
    {
        if (request.Query.ContainsKey("rut"))
        {
            // Refused rather than ignored: an ignored filter would answer every person's differences.
            return CrmProblems.Validation([new FieldError("rut", "rut.notInUrl", "a RUT never travels in a URL; send it in the body of POST /lead_differences/by-rut")]);
        }

        return await PageAsync(db, leadId, null, limit, before, cancellationToken);
    }

    private static async Task<Results<Ok<LeadDifferencePage>, ProblemHttpResult>> FindByRutAsync(HttpRequest request, CrmDbContext db, IOptions<CrmOptions> options, CancellationToken cancellationToken)
    {
        var (rut, body, problem) = await RutLookup.ReadAsync(request, options.Value, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (body)
        {
            var root = body!.Root;
            int? limit = root.TryGetProperty("limit", out var l) && l.TryGetInt32(out var take) ? take : null;
            long? before = root.TryGetProperty("before", out var b) && b.TryGetInt64(out var cursor) ? cursor : null;
            return await PageAsync(db, null, rut, limit, before, cancellationToken);
        }
    }

    private static async Task<Results<Ok<LeadDifferencePage>, ProblemHttpResult>> PageAsync(CrmDbContext db, string? leadId, string? normalizedRut, int? limit, long? before, CancellationToken cancellationToken)
    {
        var take = limit ?? LeadFailureEndpoints.DefaultLimit;
        if (take is < 1 or > LeadFailureEndpoints.MaxLimit)
        {
            return CrmProblems.Validation([new FieldError("limit", "range", $"must be between 1 and {LeadFailureEndpoints.MaxLimit}")]);
        }

        var query = db.LeadDifferences.AsNoTracking();
        if (!string.IsNullOrEmpty(leadId))
        {
            query = query.Where(d => d.LeadId == leadId);
        }

        if (normalizedRut is not null)
        {
            query = query.Where(d => d.Rut == normalizedRut);
        }

        if (before is { } cursor)
        {
            query = query.Where(d => d.Id < cursor);
        }

        var rows = await query.OrderByDescending(d => d.Id).Take(take + 1).ToListAsync(cancellationToken);
        var items = rows.Take(take)
            .Select(d => new LeadDifferenceView(d.Id, d.LeadId, d.RunId, d.IdempotencyKey, d.Entity, d.RowId, d.Rut, d.Field, d.StoredValue, d.SubmittedValue, d.EventTime, d.RecordedAt, d.CompensatedAt))
            .ToList();
        return TypedResults.Ok(new LeadDifferencePage(items, rows.Count > take ? items[^1].Id : null));
    }
}
