using System.Linq.Expressions;
using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LeadFlow.Crm.Backend.Http;

/// <summary>A delete's answer: <c>deleted</c> is false when there was nothing to delete (a repeated compensation).</summary>
public sealed record DeleteAnswer(long Id, bool Deleted, string Message);

/// <summary>The lead runs that currently rely on a row (its active holds), oldest first.</summary>
public sealed record RowHoldersView(string Entity, long Id, IReadOnlyList<RowHolder> Holders);

/// <summary>The reads every row kind offers (by id, by any spelling of its RUT sent in a body, its holders) and the plain delete by id.</summary>
public static class RowEndpoints
{
    public static RouteGroupBuilder MapRowReads<TRow, TView>(this RouteGroupBuilder group, HeldRowKind kind, Func<CrmDbContext, IQueryable<TRow>> rows, Expression<Func<TRow, TView>> toView)
        where TRow : class, IRutKeyedRow
    {
        ArgumentNullException.ThrowIfNull(kind);
        var (entity, title) = (kind.Entity, kind.Title);
        group.MapGet("/{id:long}", async Task<Results<Ok<TView>, ProblemHttpResult>> (long id, CrmDbContext db, CancellationToken cancellationToken) =>
                await rows(db).AsNoTracking().Where(r => r.Id == id).Select(toView).FirstOrDefaultAsync(cancellationToken) is { } view
                    ? TypedResults.Ok(view)
                    : CrmProblems.NotFound($"{title} {id}"))
            .WithName($"Get{title}")
            .ProducesProblem(StatusCodes.Status404NotFound);

        // POST, not GET /by-rut/{rut}: the RUT is a national id and stays out of URLs (and so out of every access log).
        group.MapPost(RutLookup.Pattern, async Task<Results<Ok<TView>, ProblemHttpResult>> (HttpRequest request, CrmDbContext db, IOptions<CrmOptions> options, CancellationToken cancellationToken) =>
            {
                var (normalized, body, problem) = await RutLookup.ReadAsync(request, options.Value, cancellationToken);
                if (problem is not null)
                {
                    return problem;
                }

                body!.Dispose();
                return await rows(db).AsNoTracking().Where(r => r.Rut == normalized).Select(toView).FirstOrDefaultAsync(cancellationToken) is { } view
                    ? TypedResults.Ok(view)
                    : CrmProblems.NotFound($"A {entity} with RUT {PersonalData.MaskRut(normalized!)}");
            })
            .AcceptsRutLookup<RutLookupRequest>()
            .WithName($"Find{title}ByRut")
            .WithSummary($"Finds the {entity} of a RUT sent in the body ({{\"rut\": \"12.345.678-5\"}}, any spelling); read key.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id:long}/holders", async Task<Results<Ok<RowHoldersView>, ProblemHttpResult>> (long id, NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                var sql = new SqlSession(connection, null);
                if (!await HeldRows.ExistsAsync(sql, kind, id, cancellationToken))
                {
                    return CrmProblems.NotFound($"{title} {id}");
                }

                return TypedResults.Ok(new RowHoldersView(entity, id, await RowHolds.ActiveAsync(sql, kind, id, cancellationToken)));
            })
            .WithName($"Get{title}Holders")
            .WithSummary($"The lead runs that rely on a {entity} (its holds), oldest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapIdNotANumber("/{id}", HttpMethods.Get);
        group.MapIdNotANumber("/{id}/holders", HttpMethods.Get);
        return group;
    }

    /// <summary>
    /// A path id that is no number (<c>/clients/abc</c>) matches no <c>{id:long}</c> route, which would be a bare 404: this
    /// unconstrained route (routing prefers the constrained one whenever it matches) answers 400 naming the parameter and
    /// the rule instead. It never echoes the text, which may be personal data typed into a URL (a RUT). Not in the API
    /// description: it is no operation.
    /// </summary>
    public static RouteHandlerBuilder MapIdNotANumber(this IEndpointRouteBuilder routes, string pattern, params string[] methods) =>
        routes.MapMethods(pattern, methods, () => CrmProblems.InvalidParameter("id", "integer", "must be a whole number: the row's id"))
            .ExcludeFromDescription();

    /// <summary>
    /// The plain delete by id, kept for older clients and operators. Deleting a row that is already gone succeeds and
    /// says so; a row with dependants (a client's partner or benefit) is refused (409); and, so that an older client's
    /// compensation cannot delete what another lead run relies on, so is a row held by any lead run other than the one
    /// that created it (409; a saga undoes its own create with <c>POST /compensations</c> instead).
    /// </summary>
    public static RouteGroupBuilder MapRowDelete(this RouteGroupBuilder group, HeldRowKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var title = kind.Title;
        group.MapDelete("/{id:long}", async Task<Results<Ok<DeleteAnswer>, ProblemHttpResult>> (long id, NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var sql = new SqlSession(connection, transaction);
                if (!await HeldRows.LockAsync(sql, kind, id, cancellationToken))
                {
                    return TypedResults.Ok(new DeleteAnswer(id, Deleted: false, $"{title} {id} did not exist; nothing to delete."));
                }

                var dependants = await HeldRows.DependantsAsync(sql, kind, id, cancellationToken);
                if (dependants.Count > 0)
                {
                    var list = string.Join(", ", dependants);
                    return CrmProblems.Conflict($"{title} {id} still has {list}; delete them first.", new FieldError("id", $"{kind.Entity}.hasDependants", $"{kind.Entity} {id} still has {list}"));
                }

                var creator = await RowHolds.CreatorAsync(sql, kind, id, cancellationToken);
                var others = (await RowHolds.ActiveAsync(sql, kind, id, cancellationToken))
                    .Where(h => creator is null || (h.IdempotencyKey != creator.IdempotencyKey && !h.IsSameRun(new LeadRun(creator.LeadId, creator.RunId))))
                    .ToList();
                if (others.Count > 0)
                {
                    return CrmProblems.Conflict(
                        $"{title} {id} is not deleted: {RowHolder.Rely(others)} on it. A lead run undoes its own create with POST /compensations.",
                        new FieldError("id", $"{kind.Entity}.held", $"{RowHolder.Rely(others)} on {kind.Entity} {id}"));
                }

                await HeldRows.DeleteAsync(sql, kind, id, cancellationToken);
                await RowHolds.ReleaseAllAsync(sql, kind, id, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return TypedResults.Ok(new DeleteAnswer(id, Deleted: true, $"{title} {id} deleted."));
            })
            .WithName($"Delete{title}")
            .WithSummary(kind.Dependants.Count > 0
                ? $"Deletes a {kind.Entity} after its partner and benefit; deleting a missing {kind.Entity} succeeds; a {kind.Entity} another lead run relies on is refused (409)."
                : $"Deletes a {kind.Entity}; deleting a missing {kind.Entity} succeeds; a {kind.Entity} another lead run relies on is refused (409).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapIdNotANumber("/{id}", HttpMethods.Delete);
        return group;
    }

    public static string Capitalized(string entity) => $"{char.ToUpperInvariant(entity[0])}{entity[1..]}";
}
