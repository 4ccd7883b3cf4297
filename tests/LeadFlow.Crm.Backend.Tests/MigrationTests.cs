using LeadFlow.Crm.Backend.Data;
using LeadFlow.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class MigrationTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private const string InitialSchema = "20261124134614_InitialSchema";

    [Fact]
    public async Task TheModel_MatchesTheMigrations()
    {
        await using var scope = backend.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();

        Assert.False(db.Database.HasPendingModelChanges(), "the model differs from the migrations' snapshot: add a migration");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task CreatesMadeBeforeHoldsWereTracked_HoldTheirRowsAfterTheUpgrade()
    {
        var server = await PostgresServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            await using (var db = new CrmDbContext(new DbContextOptionsBuilder<CrmDbContext>().UseNpgsql(connectionString).Options))
            {
                await db.GetService<IMigrator>().MigrateAsync(InitialSchema);
            }

            // A lead that completed before the upgrade: its client and the answer stored under its key.
            var rut = Ruts.Next();
            var old = LeadRunKeys.New("old");
            var clientId = await LegacyCreateAsync(connectionString, rut, old.Key(LeadRunKeys.Client));

            await using var host = await CrmBackendHost.StartAsync(connectionString);
            using var http = host.CreateClient();
            var e2 = LeadRunKeys.New("e2");
            var found = await http.PostJsonAsync("/create_client", Api.Client(rut), e2.Key(LeadRunKeys.Client));
            var undo = await http.UndoAsync(e2.Key(LeadRunKeys.Client));

            Assert.Equal(clientId, found.Id());
            Assert.Equal([old.Holder, e2.Holder], found.Holders());
            Assert.Equal("kept", undo.Outcome());
            Assert.StartsWith($"kept: {old.LeadId} (run {old.RunId}) relies on it", undo.Message(), StringComparison.Ordinal);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<long> LegacyCreateAsync(string connectionString, string rut, string key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("INSERT INTO clients (rut, name, lastname, mail, phone) VALUES ($1, 'Alice', 'Cooper', 'acooper@example.com', '+56 9 5454 5454') RETURNING id", connection)
        {
            Parameters = { new() { Value = rut } },
        };
        var id = (long)(await insert.ExecuteScalarAsync())!;
        var answer = $$"""{"statusCode":200,"message":"Client created","description":"The client was stored with id {{id}}.","id":{{id}},"created":true}""";
        await using var remember = new NpgsqlCommand("INSERT INTO idempotency_keys (key, request_hash, answer, created_at) VALUES ($1, $2, $3, now() - interval '1 day')", connection)
        {
            Parameters = { new() { Value = key }, new() { Value = new string('0', 64) }, new() { Value = answer } },
        };
        await remember.ExecuteNonQueryAsync();
        return id;
    }
}
