using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LeadFlow.Crm.Backend.Clients;

public sealed record ClientView(long Id, string Rut, string Name, string Lastname, string Mail, string Phone, DateTimeOffset CreatedAt);

public static class ClientEndpoints
{
    public static IEndpointRouteBuilder MapClients(this IEndpointRouteBuilder routes)
    {
        routes.MapIdempotentCreate<NewClient, CreateClientRequest>("/create_client", new ClientCreate())
            .WithName("CreateClient").WithTags("Clients").WithSummary("Creates a client, once per RUT.");

        var clients = routes.MapGroup("/clients").WithTags("Clients");
        clients.MapRowReads("client", db => db.Clients, c => new ClientView(c.Id, c.Rut, c.Name, c.Lastname, c.Mail, c.Phone, c.CreatedAt));
        clients.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteClient").WithSummary("Deletes a client after its partner and benefit; deleting a missing client succeeds.").ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    private static async Task<Results<Ok<DeleteAnswer>, ProblemHttpResult>> DeleteAsync(long id, CrmDbContext db, CancellationToken cancellationToken)
    {
        var partners = await db.Partners.Where(p => p.ClientId == id).Select(p => "partner " + p.Id).ToListAsync(cancellationToken);
        var benefits = await db.Benefits.Where(b => b.ClientId == id).Select(b => "benefit " + b.Id).ToListAsync(cancellationToken);
        var dependants = partners.Concat(benefits).ToList();
        if (dependants.Count > 0)
        {
            return DependantsConflict(id, dependants);
        }

        try
        {
            var deleted = await db.Clients.Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken);
            return TypedResults.Ok(deleted > 0
                ? new DeleteAnswer(id, Deleted: true, $"Client {id} deleted.")
                : new DeleteAnswer(id, Deleted: false, $"Client {id} did not exist; nothing to delete."));
        }
        catch (Exception ex) when ((ex as PostgresException ?? ex.InnerException as PostgresException)?.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // A partner or benefit was created between the check and the delete.
            return DependantsConflict(id, ["a partner or benefit created meanwhile"]);
        }
    }

    private static ProblemHttpResult DependantsConflict(long id, IReadOnlyList<string> dependants) =>
        CrmProblems.Conflict(
            $"Client {id} still has {string.Join(", ", dependants)}; delete them first.",
            new FieldError("id", "client.hasDependants", $"client {id} still has {string.Join(", ", dependants)}"));
}
