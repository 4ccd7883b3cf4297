using System.Text.Json;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;

namespace LeadFlow.Workflows.Tests.Support;

/// <summary>
/// Everything a lead needs, in process, per test class: the real backend over a fresh PostgreSQL database,
/// the test Temporal server, and the production worker (<c>AddLeadOnboardingWorker</c>) on a task queue of its own.
/// </summary>
public sealed class LeadFlowFixture : IAsyncLifetime
{
    /// <summary>Short retries so that outages in tests take milliseconds, not the production minutes.</summary>
    public static readonly LeadOnboardingOptions FastRetries = new()
    {
        StepTimeout = TimeSpan.FromSeconds(5),
        InitialRetryInterval = TimeSpan.FromMilliseconds(100),
        MaximumRetryInterval = TimeSpan.FromMilliseconds(500),
        RetryWindow = TimeSpan.FromMinutes(2),
        ErrorStepRetryWindow = TimeSpan.FromMinutes(5),
    };

    private readonly CrmBackendFixture backend = new();
    private IHost? worker;

    public CrmBackendHost Backend => backend.Host;

    public TestTemporalServer Temporal { get; private set; } = null!;

    public TemporalClient Client { get; private set; } = null!;

    public string TaskQueue { get; } = $"lead-onboarding-test-{Guid.NewGuid():N}";

    public CrmTestClient Crm { get; private set; } = null!;

    public LogCapture WorkerLogs { get; } = new();

    public async Task InitializeAsync()
    {
        await backend.InitializeAsync();
        Temporal = await TestTemporal.GetAsync();
        Client = await Temporal.ConnectAsync();
        Crm = new CrmTestClient(Backend, backend.ConnectionString);
        await StartWorkerAsync();
    }

    public async Task DisposeAsync()
    {
        await StopWorkerAsync();
        await Crm.DisposeAsync();
        await backend.DisposeAsync();
    }

    /// <summary>Starts the worker as production does, configured for this fixture's backend, server and task queue.</summary>
    /// <param name="configure">Runs after the production registrations, e.g. to put a handler in front of the CRM calls.</param>
    /// <param name="encryption">The worker's <c>LeadFlow:Encryption:*</c> settings; default the test fixture key (<see cref="TestEncryptionKeys"/>).</param>
    /// <param name="shippedLogLevels">The log levels of the worker's <c>appsettings.json</c>, as its image runs with them; default every record from Information up.</param>
    public async Task StartWorkerAsync(Action<IServiceCollection>? configure = null, IEnumerable<KeyValuePair<string, string?>>? encryption = null, bool shippedLogLevels = false)
    {
        if (worker is not null)
        {
            throw new InvalidOperationException("A worker is already running; stop it first.");
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = Temporal.Address,
            ["Temporal:Namespace"] = Temporal.Namespace,
            ["Temporal:TaskQueue"] = TaskQueue,
            ["Crm:BaseUrl"] = Backend.BaseAddress.ToString(),
            ["Crm:ApiKey"] = Backend.ApiKey,
            ["Crm:Timeout"] = "00:00:05",
            ["Worker:GracefulShutdownTimeout"] = "00:00:01",
        });
        builder.Configuration.AddInMemoryCollection(encryption ?? TestEncryptionKeys.Settings());
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(WorkerLogs);
        if (shippedLogLevels)
        {
            builder.Configuration.AddJsonFile(Path.Combine(DotnetPublish.RepositoryRoot, "Worker", "appsettings.json"), optional: false);
        }
        else
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        }

        builder.Services.AddLeadOnboardingWorker(builder.Configuration);
        configure?.Invoke(builder.Services);
        worker = builder.Build();
        await worker.StartAsync();
    }

    public async Task StopWorkerAsync()
    {
        if (worker is null)
        {
            return;
        }

        await worker.StopAsync();
        worker.Dispose();
        worker = null;
    }

    /// <summary>
    /// Starts the lead's workflow as the ingress does: the envelope itself as the input (a JSON object), id from the
    /// event id, duplicates rejected; the options as the second argument.
    /// </summary>
    public Task<WorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>> StartLeadAsync(string eventJson, LeadOnboardingOptions? options = null) =>
        StartWithArgumentsAsync(LeadIdOf(eventJson), JsonDocument.Parse(eventJson).RootElement.Clone(), options ?? FastRetries);

    /// <summary>Starts a lead workflow as any plain Temporal client would: by type name, with exactly these arguments.</summary>
    public async Task<WorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>> StartWithArgumentsAsync(string workflowId, params object?[] arguments)
    {
        var handle = await Client.StartWorkflowAsync(
            "LeadOnboardingWorkflow",
            arguments,
            new WorkflowOptions(workflowId, TaskQueue)
            {
                IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
                ExecutionTimeout = TimeSpan.FromMinutes(10),
            });
        // The run id both as the run to address and as the result's run, as a typed start's handle carries it.
        return new WorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>(Client, handle.Id, RunId: handle.ResultRunId, ResultRunId: handle.ResultRunId, FirstExecutionRunId: handle.FirstExecutionRunId);
    }

    public static string LeadIdOf(string eventJson) =>
        LeadWorkflowIds.ForEvent(JsonDocument.Parse(eventJson).RootElement.GetProperty("id").GetString()!);
}
