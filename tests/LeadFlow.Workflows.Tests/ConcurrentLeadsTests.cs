using LeadFlow.Workflows.Tests.Support;

namespace LeadFlow.Workflows.Tests;

public sealed class ConcurrentLeadsTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>
{
    private const int Leads = 200;

    [Fact]
    public async Task TwoHundredLeadsAtOnce_AllComplete_WithExactRowCounts()
    {
        var events = Enumerable.Range(0, Leads).Select(_ => TestLeads.Event(TestLeads.Detail())).ToList();

        var handles = await Task.WhenAll(events.Select(e => flow.StartLeadAsync(e)));
        var results = await Task.WhenAll(handles.Select(h => h.GetResultAsync())).WaitAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(Leads, results.Select(r => r.ClientId).Distinct().Count());
        Assert.Equal(Leads, await flow.Crm.CountAsync("clients"));
        Assert.Equal(Leads, await flow.Crm.CountAsync("partners"));
        Assert.Equal(Leads, await flow.Crm.CountAsync("benefits"));
        Assert.Equal(0, await flow.Crm.CountAsync("lead_failures"));
    }
}
