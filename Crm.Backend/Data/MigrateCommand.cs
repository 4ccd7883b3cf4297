using Microsoft.EntityFrameworkCore;

namespace LeadFlow.Crm.Backend.Data;

/// <summary>
/// <c>migrate</c>: applies pending EF Core migrations and exits (0 when the schema is current). The one-shot job of a
/// deployment where the backend's own role may not change the schema: the job connects with the owner (DDL) role, the
/// backend with a role that can only read and write rows (<c>Crm__MigrateOnStart=false</c>).
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";

    /// <param name="args">The host's usual arguments and settings (<c>ConnectionStrings__Crm</c> names the owner role).</param>
    /// <returns>0 when the schema is current.</returns>
    /// <exception cref="LocalDatabase.CrmConfigurationException">No connection string and no local mode.</exception>
    public static async Task<int> RunAsync(string[] args)
    {
        // Migrating needs no keys and no listening socket: the app is built for its services only, never started.
        var app = CrmBackendApp.Build(args, builder => builder.Configuration[$"{Configuration.CrmOptions.Section}:{nameof(Configuration.CrmOptions.MigrateOnStart)}"] = "false");
        await using (app)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
            await db.Database.MigrateAsync();
            Console.WriteLine(pending.Count == 0 ? "The CRM schema is current." : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}");
            return 0;
        }
    }
}
