using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Exceptions;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// Leads of one person overlapping in time, end to end (issue 11): the backend's holds keep what another lead reported,
/// and a kept row is a successful undo that the failure record and the status explain.
/// </summary>
public sealed class OverlappingLeadsTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    public Task InitializeAsync()
    {
        flow.Backend.Faults.Clear();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        flow.Backend.Faults.Clear();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SecondLeadCompletesWhileTheFirstFailsAtBenefit_EveryIdTheSecondReportedStays_AndTheFirstSaysForWhom()
    {
        var rut = TestLeads.NewRut();
        var first = TestLeads.Event(TestLeads.Detail(rut));
        var correction = TestLeads.Detail(rut);
        correction["mail"] = "new.mail@example.com";
        correction["phone"] = "+56 9 7777 8888";
        var second = TestLeads.Event(correction);
        // E1's benefit waits until E2 completed, then is refused for good: the order of issue 11.
        var firstBenefit = flow.Backend.Faults.ForLead("/create_benefit", LeadFlowFixture.LeadIdOf(first)).HoldRequest().Fail(422);

        var e1 = await flow.StartLeadAsync(first);
        await firstBenefit.Arrived.WaitAsync(Patience);
        var e2 = await flow.StartLeadAsync(second);
        var completed = await e2.GetResultAsync().WaitAsync(Patience);
        firstBenefit.Release();
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => e1.GetResultAsync().WaitAsync(Patience));

        Assert.Equal(LeadErrorTypes.LeadOnboardingFailed, Assert.IsType<ApplicationFailureException>(failed.InnerException).ErrorType);
        Assert.Equal(completed.ClientId, (await flow.Crm.FindClientAsync(rut))?.Id);
        Assert.Equal(completed.PartnerId, (await flow.Crm.FindPartnerAsync(rut))?.Id);
        Assert.Equal(completed.BenefitId, (await flow.Crm.FindBenefitAsync(rut))?.Id);
        Assert.Equal([false, false, true], completed.Records.Select(r => r.Created));
        Assert.Equal(["mail", "phone"], completed.Records[0].DifferingFields);
        Assert.Equal("acooper@example.com", (await flow.Crm.FindClientAsync(rut))?.Mail);

        var record = Assert.Single(await flow.Crm.FailuresOfAsync(e1.Id));
        Assert.Equal(LeadOnboardingSteps.CreateBenefit, record.Step);
        Assert.StartsWith("CrmRejected: ", record.Reason, StringComparison.Ordinal);
        Assert.Contains($"CreatePartner partner {completed.PartnerId} kept for {e2.Id}", record.Reason, StringComparison.Ordinal);
        Assert.Contains($"CreateClient client {completed.ClientId} kept for {e2.Id}", record.Reason, StringComparison.Ordinal);
        Assert.Equal(
            [(LeadOnboardingSteps.CreateBenefit, CompensationOutcomes.NothingToUndo), (LeadOnboardingSteps.CreatePartner, CompensationOutcomes.Kept), (LeadOnboardingSteps.CreateClient, CompensationOutcomes.Kept)],
            record.Compensations!.Select(c => (c.Step, c.Outcome)));
        Assert.All(record.Compensations!.Where(c => c.Outcome == CompensationOutcomes.Kept), c => Assert.Equal([new LeadRunName(e2.Id, e2.ResultRunId)], c.KeptFor));

        var status = await e1.QueryAsync(workflow => workflow.GetStatus());
        Assert.Equal(LeadOutcome.Failed, status.Outcome);
        Assert.Empty(status.Undone);
        var kept = status.Error!.Compensations!.Where(c => c.Outcome == CompensationOutcomes.Kept).ToList();
        Assert.Equal([LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateClient], kept.Select(c => c.Step));
        Assert.All(kept, c => Assert.Equal(e2.Id, Assert.Single(c.KeptFor).LeadId));

        var secondStatus = await e2.QueryAsync(workflow => workflow.GetStatus());
        Assert.Equal(["mail", "phone"], secondStatus.Records[0].DifferingFields);
        var differences = (await flow.Crm.ReadApi.GetLeadDifferencesAsync(leadId: e2.Id)).Items;
        Assert.Equal(["phone", "mail"], differences.Select(d => d.Field));
        Assert.All(differences, d => Assert.Equal(DateTimeOffset.Parse("2026-01-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture), d.EventTime));

        // The worker names the differing fields, never their values.
        var logs = flow.WorkerLogs.AllText;
        Assert.Contains("kept for review (GET /lead_differences): mail, phone", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("new.mail@example.com", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("7777 8888", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(rut, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeadFailingAfterAnotherCompletedWithItsRows_TheKeptRowsAreReleasedByTheLastRun()
    {
        var rut = TestLeads.NewRut();
        var earlier = await (await flow.StartLeadAsync(TestLeads.Event(TestLeads.Detail(rut)))).GetResultAsync().WaitAsync(Patience);
        var later = TestLeads.Event(TestLeads.Detail(rut));
        flow.Backend.Faults.ForLead("/create_benefit", LeadFlowFixture.LeadIdOf(later)).Fail(422);

        var handle = await flow.StartLeadAsync(later);
        await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience));

        Assert.Equal(earlier.BenefitId, (await flow.Crm.FindBenefitAsync(rut))?.Id);
        var holds = await flow.Crm.ReadApi.GetHoldsAsync(handle.Id);
        Assert.Equal(2, holds.Count);
        Assert.All(holds, h => Assert.NotNull(h.ReleasedAt));
        Assert.Equal(3, (await flow.Crm.ReadApi.GetHoldsAsync(earlier.LeadId)).Count(h => h.ReleasedAt is null));
    }
}
