using System.Net;
using LeadFlow.TestSupport;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary>Many lead runs of one person at once: one row, every run holding it, and only the last release deletes it.</summary>
public sealed class ConcurrentLeadRunsTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task TwentyRunsCreateOnePerson_OneRowTwentyHolders_AllButOneUndo_Kept_LastUndo_Deleted()
    {
        var rut = Ruts.Next();
        var runs = Enumerable.Range(1, 20).Select(i => LeadRunKeys.New($"e{i}")).ToList();

        var creates = await Task.WhenAll(runs.Select(r => http.PostJsonAsync("/create_client", Api.Client(rut), r.Key(LeadRunKeys.Client))));

        Assert.All(creates, c => Assert.Equal(HttpStatusCode.OK, c.Status));
        Assert.Single(creates, c => c.Created());
        var id = Assert.Single(creates.Select(c => c.Id()).Distinct());
        var holders = (await http.ReadAsync($"/clients/{id}/holders")).Holders();
        Assert.Equal(runs.Select(r => r.Holder).Order(), holders.Order());

        var undos = await Task.WhenAll(runs.Skip(1).Select(r => http.UndoAsync(r.Key(LeadRunKeys.Client))));

        Assert.All(undos, u => Assert.Equal("kept", u.Outcome()));
        Assert.Equal([runs[0].Holder], (await http.ReadAsync($"/clients/{id}/holders")).Holders());

        var last = await http.UndoAsync(runs[0].Key(LeadRunKeys.Client));

        Assert.Equal("deleted", last.Outcome());
        Assert.Equal(HttpStatusCode.NotFound, (await http.ReadAsync($"/clients/{id}")).Status);
    }

    [Fact]
    public async Task CreatesAndUndosOfManyRunsInterleaved_NeverLoseARowAHolderStillHolds()
    {
        var rut = Ruts.Next();
        var runs = Enumerable.Range(1, 12).Select(i => LeadRunKeys.New($"r{i}")).ToList();

        // Half the runs compensate while the others are still creating: whatever the interleaving, a run that
        // did not compensate must find its row afterwards.
        var work = runs.Select(async (run, i) =>
        {
            var created = await http.PostJsonAsync("/create_client", Api.Client(rut), run.Key(LeadRunKeys.Client));
            Assert.Equal(HttpStatusCode.OK, created.Status);
            if (i % 2 == 0)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.UndoAsync(run.Key(LeadRunKeys.Client))).Status);
                return (run, Id: (long?)null);
            }

            return (run, Id: created.Id());
        });
        var outcomes = await Task.WhenAll(work);

        foreach (var (run, id) in outcomes.Where(o => o.Id is not null))
        {
            Assert.Equal(HttpStatusCode.OK, (await http.ReadAsync($"/clients/{id}")).Status);
            Assert.Contains(run.Holder, (await http.ReadAsync($"/clients/{id}/holders")).Holders());
        }
    }
}
