using LeadFlow.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LeadFlow.Workflows.Tests;

public sealed class WorkerRestartTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>
{
    [Fact]
    public async Task WorkerStoppedWhileACallIsInFlight_AnotherWorkerFinishesTheLead_WithoutDuplicates()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        var partnersBefore = await flow.Crm.CountAsync("partners");

        // The first worker's CreatePartner call reaches the backend (the row is written) but the answer never
        // gets back: the worst moment to lose a worker.
        await flow.StopWorkerAsync();
        var hold = new HoldResponseHandler("/create_partner");
        await flow.StartWorkerAsync(services => services.ConfigureHttpClientDefaults(client => client.AddHttpMessageHandler(() => hold)));
        var handle = await flow.StartLeadAsync(eventJson);
        await hold.Held.WaitAsync(TimeSpan.FromSeconds(60));
        await flow.StopWorkerAsync();

        await flow.StartWorkerAsync();
        var result = await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(result.PartnerId, (await flow.Crm.FindPartnerAsync(rut))?.Id);
        Assert.Equal(partnersBefore + 1, await flow.Crm.CountAsync("partners"));
        Assert.True(result.Records.Single(r => r.Step == "CreatePartner").Created, "the retry replays the first answer under the same idempotency key");
    }

    /// <summary>Lets requests to one path reach the backend, then holds their answers until the worker cancels the call.</summary>
    private sealed class HoldResponseHandler(string path) : DelegatingHandler
    {
        private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Held => held.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri?.AbsolutePath == path)
            {
                held.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return response;
        }
    }
}
