using LeadFlow.Activities.Crm;
using LeadFlow.Activities.Steps;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>Looks at what landed in the CRM: through the backend's reads, and row counts straight from PostgreSQL.</summary>
public sealed class CrmProbe : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly string connectionString;

    public CrmProbe(CrmBackendHost backend, string connectionString)
    {
        this.connectionString = connectionString;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Crm:BaseUrl"] = backend.BaseAddress.ToString(),
                ["Crm:ApiKey"] = backend.ApiKey,
            })
            .Build();
        provider = new ServiceCollection().AddLogging().AddCrmApi(configuration).BuildServiceProvider();
        Api = provider.GetRequiredService<ICrmApi>();
    }

    public ICrmApi Api { get; }

    public Task<ClientRecord?> ClientAsync(string rut) => FindAsync(() => Api.GetClientByRutAsync(rut));

    public Task<PartnerRecord?> PartnerAsync(string rut) => FindAsync(() => Api.GetPartnerByRutAsync(rut));

    public Task<BenefitRecord?> BenefitAsync(string rut) => FindAsync(() => Api.GetBenefitByRutAsync(rut));

    public async Task<IReadOnlyList<LeadFailureRecord>> FailuresOfAsync(string leadId) => (await Api.GetLeadFailuresAsync(leadId)).Items;

    /// <summary>Rows with this RUT in a CRM table (clients, partners, benefits).</summary>
    public async Task<long> RowsAsync(string table, string rut)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE rut = @rut", connection);
        command.Parameters.AddWithValue("rut", rut);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync() => await provider.DisposeAsync();

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
