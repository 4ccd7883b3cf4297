using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LeadFlow.Crm.Backend.Health;

public sealed record HealthAnswer(string Status, string Detail);

/// <summary>Open to everyone (no API key), for load balancers and orchestrators.</summary>
public static class HealthEndpoints
{
    public const string Prefix = "/health";

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var health = routes.MapGroup(Prefix).WithTags("Health");
        health.MapGet("/live", () => TypedResults.Ok(new HealthAnswer("live", "The process is running.")))
            .WithName("Live");
        health.MapGet("/ready", ReadyAsync)
            .WithName("Ready").WithSummary("Ready when the database is reachable and fully migrated.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Results<Ok<HealthAnswer>, ProblemHttpResult>> ReadyAsync(CrmDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Database.CanConnectAsync(cancellationToken))
        {
            return CrmProblems.Unavailable("The database is not reachable.");
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return pending.Count == 0
            ? TypedResults.Ok(new HealthAnswer("ready", "The database is reachable and migrated."))
            : CrmProblems.Unavailable($"The database lacks {pending.Count} migration(s): {string.Join(", ", pending)}.");
    }
}
