using System.Net;
using LeadFlow.Crm.Backend.LocalDatabase;
using LeadFlow.TestSupport;
using Npgsql;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class HealthAndHostingTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task Ready_WhenDatabaseIsMigrated()
    {
        var ready = await http.ReadAsync("/health/ready");
        var live = await http.ReadAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("ready", ready.Json.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.Status);
    }

    [Fact]
    public async Task NotReady_WhenDatabaseIsUnreachable()
    {
        await using var host = await CrmBackendHost.StartAsync("Host=127.0.0.1;Port=1;Database=none;Timeout=2", apiKey: null, builder => builder.Configuration["Crm:MigrateOnStart"] = "false");
        using var client = host.CreateClient();

        var ready = await client.ReadAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("application/problem+json", ready.MediaType);
    }

    [Fact]
    public async Task CreateWhileDatabaseIsUnreachable_Is503WithRetryAfter_NotA500()
    {
        await using var host = await CrmBackendHost.StartAsync("Host=127.0.0.1;Port=1;Database=none;Timeout=2", apiKey: null, builder => builder.Configuration["Crm:MigrateOnStart"] = "false");
        using var client = host.CreateClient();

        using var answer = await client.PostAsync(new Uri("/create_client", UriKind.Relative), new StringContent(System.Text.Json.JsonSerializer.Serialize(Api.Client(Ruts.Next()))));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", answer.Headers.RetryAfter?.ToString());
        Assert.Contains("database-unavailable", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InjectedFaults_AnswerProblemsThenClear()
    {
        var host = backend.Host;
        host.Faults.FailNext("/create_client", times: 2);
        var rut = Ruts.Next();

        var first = await http.PostJsonAsync("/create_client", Api.Client(rut));
        var second = await http.PostJsonAsync("/create_client", Api.Client(rut));
        var third = await http.PostJsonAsync("/create_client", Api.Client(rut));
        host.Faults.FailAlways("/clients/by-rut", 500);
        var read = await http.FindByRutAsync("clients", rut);
        host.Faults.Clear();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
        Assert.Equal("application/problem+json", first.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.Status);
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, read.Status);
        Assert.Equal(2, host.Faults.InjectedCount("/create_client"));
        Assert.Equal(HttpStatusCode.OK, (await http.FindByRutAsync("clients", rut)).Status);
    }

    [Fact]
    public async Task LocalCluster_KeepsItsDataAcrossRestarts()
    {
        var directory = Directory.CreateTempSubdirectory("lfrs").FullName;
        try
        {
            var options = new LocalPostgresOptions(Path.Combine(directory, "data"));
            await using (var cluster = await LocalPostgresCluster.StartAsync(options))
            {
                await cluster.EnsureDatabaseAsync("keep");
                await ExecuteAsync(cluster.ConnectionStringFor("keep"), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
            }

            await using var restarted = await LocalPostgresCluster.StartAsync(options);
            Assert.True(restarted.OwnsServer);
            Assert.Equal("still here", await ExecuteAsync(restarted.ConnectionStringFor("keep"), "SELECT v FROM kept"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
