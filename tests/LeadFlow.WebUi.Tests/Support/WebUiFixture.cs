using LeadFlow.EmbeddedTemporal;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace LeadFlow.WebUi.Tests.Support;

/// <summary>
/// One embedded server with its Web UI (built with npm on first use, cached after), the LeadOutcome and
/// LeadStep search attributes registered, and four sample leads run through the real SDK: one completed,
/// one rejected, one failed at CreateBenefit and one still running.
/// </summary>
public sealed class WebUiFixture : IAsyncLifetime
{
    public const string Namespace = "default";
    public const string TaskQueue = "webui-samples";

    private CancellationTokenSource? _workerStop;
    private Task? _worker;

    public EmbeddedTemporalServer Server { get; private set; } = null!;

    public TemporalClient Client { get; private set; } = null!;

    /// <summary>Why the UI could not be had (null when it is served).</summary>
    public string? UiUnavailable { get; private set; }

    public IReadOnlyDictionary<SampleOutcome, WorkflowHandle> Leads { get; private set; } = new Dictionary<SampleOutcome, WorkflowHandle>();

    public static SampleLead LeadFor(SampleOutcome outcome) => outcome switch
    {
        SampleOutcome.Completed => new SampleLead("Alice", "ESTACION_CENTRAL", outcome),
        SampleOutcome.Rejected => new SampleLead("Bob", "PROVIDENCIA", outcome),
        SampleOutcome.FailedAtBenefit => new SampleLead("Carla", "MAIPU", outcome),
        _ => new SampleLead("Dora", "NUNOA", outcome),
    };

    public static string WorkflowIdFor(SampleOutcome outcome) => $"lead-sample-{outcome.ToString().ToLowerInvariant()}";

    public async Task InitializeAsync()
    {
        var assets = await WebUiAssets.LocateOrBuildAsync(new WebUiBuildOptions { BuildTimeout = TimeSpan.FromMinutes(8) });
        UiUnavailable = assets.IsAvailable ? null : assets.Message;
        Server = await EmbeddedTemporalServer.StartAsync(new EmbeddedTemporalOptions { Port = 0, UiPort = 0, WebUiAssetsDirectory = assets.Directory });
        Client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(Server.Address) { Namespace = Namespace });
        // As every worker of leads does at start: the server refuses undeclared attributes.
        await LeadFlow.Temporal.LeadSearchAttributeRegistration.EnsureAsync(Client);

        var worker = new TemporalWorker(Client, new TemporalWorkerOptions(TaskQueue).AddWorkflow<SampleLeadWorkflow>().AddAllActivities(new SampleLeadActivities()));
        _workerStop = new CancellationTokenSource();
        _worker = worker.ExecuteAsync(_workerStop.Token);

        var leads = new Dictionary<SampleOutcome, WorkflowHandle>();
        foreach (var outcome in Enum.GetValues<SampleOutcome>())
        {
            var lead = LeadFor(outcome);
            leads[outcome] = await Client.StartWorkflowAsync(
                (SampleLeadWorkflow wf) => wf.RunAsync(lead),
                new WorkflowOptions(WorkflowIdFor(outcome), TaskQueue) { StaticSummary = $"Lead {lead.Name} at {lead.Store}" });
        }

        Leads = leads;
        foreach (var (outcome, handle) in leads.Where(pair => pair.Key != SampleOutcome.Waiting))
        {
            try
            {
                await handle.GetResultAsync().WaitAsync(TimeSpan.FromMinutes(2));
            }
            catch (WorkflowFailedException) when (outcome != SampleOutcome.Completed)
            {
                // Expected: rejected and failed leads end Failed.
            }
        }

        // The running lead has finished CreateClient and waits: wait until it says so, however busy the machine.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (await leads[SampleOutcome.Waiting].QueryAsync((SampleLeadWorkflow wf) => wf.CurrentStep) != "WaitingForRelease")
        {
            Assert.True(DateTime.UtcNow < deadline, "the waiting lead never reached WaitingForRelease");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (_workerStop is not null)
        {
            await _workerStop.CancelAsync();
            try
            {
                await _worker!;
            }
            catch (OperationCanceledException)
            {
                // How ExecuteAsync ends when its token is cancelled.
            }
        }

        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WebUiCollection : ICollectionFixture<WebUiFixture>
{
    public const string Name = "embedded server with Web UI";
}
