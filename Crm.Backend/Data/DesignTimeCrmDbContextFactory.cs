using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LeadFlow.Crm.Backend.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the backend (or local mode's cluster).</summary>
public sealed class DesignTimeCrmDbContextFactory : IDesignTimeDbContextFactory<CrmDbContext>
{
    public CrmDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CrmDbContext>().UseNpgsql("Host=127.0.0.1;Database=crm_design_time").Options);
}
