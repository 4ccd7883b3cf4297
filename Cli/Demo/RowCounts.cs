using LeadFlow.Crm.Backend.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LeadFlow.Cli.Demo;

/// <summary>How many rows each CRM table holds, read through the backend's own database context.</summary>
public sealed record RowCounts(int Clients, int Partners, int Benefits, int LeadFailures)
{
    public static async Task<RowCounts> ReadAsync(IServiceProvider backendServices, CancellationToken cancellationToken)
    {
        await using var scope = backendServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        return new RowCounts(
            await db.Clients.CountAsync(cancellationToken),
            await db.Partners.CountAsync(cancellationToken),
            await db.Benefits.CountAsync(cancellationToken),
            await db.LeadFailures.CountAsync(cancellationToken));
    }
}
