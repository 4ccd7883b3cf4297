using LeadFlow.Ingress.Starting;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Ingress.Tests.Support;

/// <summary>
/// The whole path in process: the ingress app, the test Temporal server, the production worker
/// (<c>AddLeadOnboardingWorker</c>) on a task queue of its own, and the real backend over a fresh PostgreSQL database.
/// </summary>
public sealed class FullFlowFixture : IAsyncLifetime
{
    private readonly CrmBackendFixture _backend = new();
    private IHost? _worker;

    public CrmBackendHost Backend => _backend.Host;

    public IngressTemporal Temporal { get; private set; } = null!;

    public IngressHost Ingress { get; private set; } = null!;

    /// <summary>Every log line of the worker, to assert on what operators are alerted with.</summary>
    public LogCapture WorkerLogs { get; } = new();

    public TemporalClientSource ClientSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _backend.InitializeAsync();
        Temporal = await IngressTemporal.StartAsync();
        ClientSource = Temporal.ClientSource();
        Ingress = await IngressHost.StartAsync(ClientSource);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = Temporal.Server.Address,
            ["Temporal:Namespace"] = Temporal.Server.Namespace,
            ["Temporal:TaskQueue"] = Temporal.TaskQueue,
            ["Crm:BaseUrl"] = Backend.BaseAddress.ToString(),
            ["Crm:ApiKey"] = Backend.ApiKey,
            ["Crm:Timeout"] = "00:00:05",
            ["Worker:GracefulShutdownTimeout"] = "00:00:01",
        });
        builder.Configuration.AddInMemoryCollection(TestEncryptionKeys.Settings());
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(WorkerLogs);
        builder.Services.AddLeadOnboardingWorker(builder.Configuration);
        _worker = builder.Build();
        await _worker.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.StopAsync();
            _worker.Dispose();
        }

        await Ingress.DisposeAsync();
        await _backend.DisposeAsync();
    }
}
