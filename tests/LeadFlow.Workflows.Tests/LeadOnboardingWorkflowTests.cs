using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Exceptions;

namespace LeadFlow.Workflows.Tests;

/// <summary>A lead from event to CRM rows: embedded Temporal, the production worker, the real backend and PostgreSQL.</summary>
public sealed class LeadOnboardingWorkflowTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>, IAsyncLifetime
{
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
    public async Task ValidLead_CreatesClientPartnerAndBenefit_AndCompletes()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);

        var handle = await flow.StartLeadAsync(eventJson);
        var result = await handle.GetResultAsync();

        var client = await flow.Crm.FindClientAsync(rut);
        var partner = await flow.Crm.FindPartnerAsync(rut);
        var benefit = await flow.Crm.FindBenefitAsync(rut);
        Assert.Equal(result.ClientId, client?.Id);
        Assert.Equal(result.PartnerId, partner?.Id);
        Assert.Equal(result.BenefitId, benefit?.Id);
        Assert.Equal(client!.Id, partner!.ClientId);
        Assert.Equal("ESTACION_CENTRAL", partner.Store);
        Assert.True(benefit!.WantsBenefit);

        var status = await handle.QueryAsync(workflow => workflow.GetStatus());
        Assert.Equal(LeadOutcome.Completed, status.Outcome);
        Assert.Equal(
            [new StepRecord(LeadOnboardingSteps.CreateClient, client.Id, true), new StepRecord(LeadOnboardingSteps.CreatePartner, partner.Id, true), new StepRecord(LeadOnboardingSteps.CreateBenefit, benefit.Id, true)],
            status.Records);
        Assert.Null(status.Error);
        Assert.Empty(await flow.Crm.FailuresOfAsync(handle.Id));

        // Logs name the lead, never its personal data.
        var logs = flow.WorkerLogs.AllText;
        Assert.Contains(handle.Id, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(rut, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("acooper@example.com", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("5454 5454", logs, StringComparison.Ordinal);

        await RecordedHistories.RecordIfAskedAsync(handle, RecordedHistories.HappyPathEventInput);
    }

    [Fact]
    public async Task InvalidRut_WritesNothing_RecordsTheFailure_AndEndsRejected()
    {
        var clientsBefore = await flow.Crm.CountAsync("clients");

        var handle = await flow.StartLeadAsync(TestLeads.Event(TestLeads.Detail(TestLeads.InvalidRut())));
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());

        var reason = Assert.IsType<ApplicationFailureException>(failed.InnerException);
        Assert.Equal(LeadErrorTypes.LeadRejected, reason.ErrorType);
        Assert.Equal(clientsBefore, await flow.Crm.CountAsync("clients"));
        var recorded = Assert.Single(await flow.Crm.FailuresOfAsync(handle.Id));
        Assert.Equal(LeadOnboardingSteps.ReceiveLead, recorded.Step);
        Assert.Contains(recorded.Errors!, e => e.Field == "rut" && e.Rule == "rut.checkDigit");

        var status = await handle.QueryAsync(workflow => workflow.GetStatus());
        Assert.Equal(LeadOutcome.Rejected, status.Outcome);
        Assert.Equal(LeadErrorTypes.LeadRejected, status.Error?.Type);
        Assert.Equal(recorded.Id, status.Error?.FailureRecordId);
        Assert.Contains(status.Error!.FieldErrors, e => e.Field == "rut");

        await RecordedHistories.RecordIfAskedAsync(handle, RecordedHistories.RejectedLeadEventInput);
    }

    [Fact]
    public async Task BackendUnavailableTwice_IsRetried_AndWritesOneRowPerTable()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        var partnersBefore = await flow.Crm.CountAsync("partners");
        flow.Backend.Faults.FailNext("/create_partner", 2, 503);

        var result = await (await flow.StartLeadAsync(eventJson)).GetResultAsync();

        Assert.Equal(2, flow.Backend.Faults.InjectedCount("/create_partner"));
        Assert.Equal(result.PartnerId, (await flow.Crm.FindPartnerAsync(rut))?.Id);
        Assert.Equal(partnersBefore + 1, await flow.Crm.CountAsync("partners"));
        Assert.All(result.Records, record => Assert.True(record.Created));
    }

    [Fact]
    public async Task ThrottlingBackend_IsRetriedNoSoonerThanItsRetryAfter()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        var injectedBefore = flow.Backend.Faults.InjectedAt("/create_client").Count;
        flow.Backend.Faults.FailNext("/create_client", 2, 429, retryAfter: "2");

        // The policy's own backoff is 100 ms; the server caps a failure's next retry delay at the maximum interval.
        var result = await (await flow.StartLeadAsync(eventJson, LeadFlowFixture.FastRetries with { MaximumRetryInterval = TimeSpan.FromSeconds(10) })).GetResultAsync();

        var attempts = flow.Backend.Faults.InjectedAt("/create_client").Skip(injectedBefore).ToList();
        Assert.Equal(2, attempts.Count);
        var gap = attempts[1] - attempts[0];
        Assert.True(gap >= TimeSpan.FromSeconds(2), $"the throttled step was retried {gap.TotalMilliseconds:0} ms later; the backend asked for 2 s");
        Assert.Equal(result.ClientId, (await flow.Crm.FindClientAsync(rut))?.Id);
    }

    [Fact]
    public async Task BenefitRefusedForGood_UndoesPartnerAndClient_RecordsTheFailure_AndEndsFailed()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        flow.Backend.Faults.FailAlways("/create_benefit", 422);

        var handle = await flow.StartLeadAsync(eventJson);
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());

        Assert.Equal(LeadErrorTypes.LeadOnboardingFailed, Assert.IsType<ApplicationFailureException>(failed.InnerException).ErrorType);
        Assert.Equal(1, flow.Backend.Faults.InjectedCount("/create_benefit"));
        Assert.Null(await flow.Crm.FindClientAsync(rut));
        Assert.Null(await flow.Crm.FindPartnerAsync(rut));
        var recorded = Assert.Single(await flow.Crm.FailuresOfAsync(handle.Id));
        Assert.Equal(LeadOnboardingSteps.CreateBenefit, recorded.Step);
        Assert.StartsWith(LeadErrorTypes.CrmRejected, recorded.Reason, StringComparison.Ordinal);

        // The record keeps the lead's event (masked when listed, whole for redrive): it outlives Temporal's retention.
        Assert.NotNull(recorded.Event);
        Assert.DoesNotContain(rut, recorded.Event, StringComparison.Ordinal);
        using (var http = flow.Backend.CreateClient())
        {
            var kept = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri($"lead_failures/{recorded.Id}/event", UriKind.Relative)))!;
            var sent = System.Text.Json.Nodes.JsonNode.Parse(eventJson)!;
            Assert.Equal((string?)sent["id"], (string?)kept["id"]);
            Assert.Equal(rut, (string?)kept["detail"]!["rut"]);
        }

        var status = await handle.QueryAsync(workflow => workflow.GetStatus());
        Assert.Equal(LeadOutcome.Failed, status.Outcome);
        Assert.Equal([LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateClient], status.Undone.Select(r => r.Step));
        Assert.Equal(LeadOnboardingSteps.CreateBenefit, status.Error?.FailedStep);

        await RecordedHistories.RecordIfAskedAsync(handle, RecordedHistories.CompensatedFailureEventInput);
    }

    [Fact]
    public async Task BenefitRefused_LeavesAClientThatExistedBeforeTheRun()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        var existing = await flow.Crm.Api.CreateClientAsync(new CreateClientRequest("Alice", "Cooper", rut, "acooper@example.com", "+56 9 5454 5454"), $"earlier-{rut}");
        flow.Backend.Faults.FailAlways("/create_benefit", 422);

        var handle = await flow.StartLeadAsync(eventJson);
        await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync());

        Assert.Equal(existing.Id, (await flow.Crm.FindClientAsync(rut))?.Id);
        Assert.Null(await flow.Crm.FindPartnerAsync(rut));
        var status = await handle.QueryAsync(workflow => workflow.GetStatus());
        Assert.Contains(new StepRecord(LeadOnboardingSteps.CreateClient, existing.Id, Created: false), status.Records);
        Assert.Equal([LeadOnboardingSteps.CreatePartner], status.Undone.Select(r => r.Step));
        Assert.Single(await flow.Crm.FailuresOfAsync(handle.Id));
    }

    [Fact]
    public async Task SameEventTwice_RunsOnce_AndWritesOneSetOfRows()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var clientsBefore = await flow.Crm.CountAsync("clients");

        var handle = await flow.StartLeadAsync(eventJson);
        await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() => flow.StartLeadAsync(eventJson));
        await handle.GetResultAsync();
        await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() => flow.StartLeadAsync(eventJson));

        Assert.Equal(clientsBefore + 1, await flow.Crm.CountAsync("clients"));
    }
}
