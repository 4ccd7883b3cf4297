using System.Linq.Expressions;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LeadFlow.Crm.Backend.Http;

/// <summary>A delete's answer: <c>deleted</c> is false when there was nothing to delete (a repeated compensation).</summary>
public sealed record DeleteAnswer(long Id, bool Deleted, string Message);

/// <summary>The reads every row kind offers (by id, by any spelling of its RUT) and the plain delete by id.</summary>
public static class RowEndpoints
{
    public static RouteGroupBuilder MapRowReads<TRow, TView>(this RouteGroupBuilder group, string entity, Func<CrmDbContext, IQueryable<TRow>> rows, Expression<Func<TRow, TView>> toView)
        where TRow : class, IRutKeyedRow
    {
        var title = Capitalized(entity);
        group.MapGet("/{id:long}", async Task<Results<Ok<TView>, ProblemHttpResult>> (long id, CrmDbContext db, CancellationToken cancellationToken) =>
                await rows(db).AsNoTracking().Where(r => r.Id == id).Select(toView).FirstOrDefaultAsync(cancellationToken) is { } view
                    ? TypedResults.Ok(view)
                    : CrmProblems.NotFound($"{title} {id}"))
            .WithName($"Get{title}")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/by-rut/{rut}", async Task<Results<Ok<TView>, ProblemHttpResult>> (string rut, CrmDbContext db, CancellationToken cancellationToken) =>
            {
                if (!Rut.TryNormalize(rut, out var normalized, out var error))
                {
                    return CrmProblems.Validation([error]);
                }

                return await rows(db).AsNoTracking().Where(r => r.Rut == normalized).Select(toView).FirstOrDefaultAsync(cancellationToken) is { } view
                    ? TypedResults.Ok(view)
                    : CrmProblems.NotFound($"A {entity} with RUT {PersonalData.MaskRut(normalized)}");
            })
            .WithName($"Get{title}ByRut")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>A compensation: deleting a row that is already gone is still a success, and says so.</summary>
    public static RouteGroupBuilder MapRowDelete<TRow>(this RouteGroupBuilder group, string entity, Func<CrmDbContext, IQueryable<TRow>> rows)
        where TRow : class, IRutKeyedRow
    {
        var title = Capitalized(entity);
        group.MapDelete("/{id:long}", async Task<Ok<DeleteAnswer>> (long id, CrmDbContext db, CancellationToken cancellationToken) =>
                await rows(db).Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken) > 0
                    ? TypedResults.Ok(new DeleteAnswer(id, Deleted: true, $"{title} {id} deleted."))
                    : TypedResults.Ok(new DeleteAnswer(id, Deleted: false, $"{title} {id} did not exist; nothing to delete.")))
            .WithName($"Delete{title}")
            .WithSummary($"Deletes a {entity}; deleting a missing {entity} succeeds.");
        return group;
    }

    public static string Capitalized(string entity) => $"{char.ToUpperInvariant(entity[0])}{entity[1..]}";
}
