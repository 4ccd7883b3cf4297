using Xunit;

namespace LeadFlow.TestSupport;

/// <summary>A backend over its own fresh database, per test class (<c>IClassFixture&lt;CrmBackendFixture&gt;</c>).</summary>
public sealed class CrmBackendFixture : IAsyncLifetime
{
    private readonly PostgresFixture database = new();
    private CrmBackendHost? host;

    public CrmBackendHost Host => host ?? throw new InvalidOperationException("The fixture is not initialised.");

    public string ConnectionString => database.ConnectionString;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        host = await CrmBackendHost.StartAsync(database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        await database.DisposeAsync();
    }
}
