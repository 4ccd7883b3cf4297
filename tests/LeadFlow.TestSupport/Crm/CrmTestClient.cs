using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LeadFlow.TestSupport;

/// <summary>
/// The production step and activity registrations (<c>AddLeadOnboardingActivities</c>) pointed at a test backend: the steps
/// under test, and <see cref="ICrmApi"/> and row counts to verify what landed in the CRM.
/// </summary>
public sealed class CrmTestClient : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly ServiceProvider readProvider;
    private readonly string connectionString;

    /// <param name="apiKey">The key the steps send; default the backend's write key, as the worker has.</param>
    public CrmTestClient(CrmBackendHost backend, string connectionString, Uri? baseUrl = null, TimeSpan? timeout = null, string? apiKey = null)
    {
        this.connectionString = connectionString;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Crm:BaseUrl"] = (baseUrl ?? backend.BaseAddress).ToString(),
                ["Crm:ApiKey"] = apiKey ?? backend.ApiKey,
                ["Crm:Timeout"] = (timeout ?? TimeSpan.FromSeconds(10)).ToString(),
            })
            .Build();
        provider = new ServiceCollection()
            .AddLogging()
            .AddLeadOnboardingActivities(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Scope = provider.CreateAsyncScope();

        // What a person or tool reads with: the same client, the read key.
        var reading = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Crm:ApiKey"] = backend.ReadApiKey })
            .Build();
        readProvider = new ServiceCollection().AddLogging().AddCrmApi(reading).BuildServiceProvider();
    }

    public AsyncServiceScope Scope { get; }

    /// <summary>The worker's client: the write key.</summary>
    public ICrmApi Api => Scope.ServiceProvider.GetRequiredService<ICrmApi>();

    /// <summary>The same contract with the read key, for the reads that verify what landed.</summary>
    public ICrmApi ReadApi => readProvider.GetRequiredService<ICrmApi>();

    public T Get<T>()
        where T : notnull => Scope.ServiceProvider.GetRequiredService<T>();

    public Task<ClientRecord?> FindClientAsync(string rut) => FindAsync(() => ReadApi.FindClientByRutAsync(new RutLookupRequest(rut)));

    public Task<PartnerRecord?> FindPartnerAsync(string rut) => FindAsync(() => ReadApi.FindPartnerByRutAsync(new RutLookupRequest(rut)));

    public Task<BenefitRecord?> FindBenefitAsync(string rut) => FindAsync(() => ReadApi.FindBenefitByRutAsync(new RutLookupRequest(rut)));

    public async Task<IReadOnlyList<LeadFailureRecord>> FailuresOfAsync(string leadId) => (await ReadApi.GetLeadFailuresAsync(leadId)).Items;

    /// <summary>Rows with this RUT in a CRM table (clients, partners, benefits), read straight from PostgreSQL.</summary>
    public async Task<long> RowsAsync(string table, string rut)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE rut = @rut", connection);
        command.Parameters.AddWithValue("rut", rut);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rows in a CRM table, read straight from PostgreSQL.</summary>
    public async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await Scope.DisposeAsync();
        await provider.DisposeAsync();
        await readProvider.DisposeAsync();
    }

    private static async Task<T?> FindAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (CrmPermanentException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }
}
