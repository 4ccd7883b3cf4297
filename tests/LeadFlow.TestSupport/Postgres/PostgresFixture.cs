using Xunit;

namespace LeadFlow.TestSupport;

/// <summary>A fresh, uniquely named database per test class (<c>IClassFixture&lt;PostgresFixture&gt;</c>) on the process's <see cref="PostgresServer"/>; dropped afterwards.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? server;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        server = await PostgresServer.GetAsync();
        ConnectionString = await server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        if (server is not null && ConnectionString.Length > 0)
        {
            await server.DropDatabaseAsync(ConnectionString);
        }
    }
}
