using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// A run stopped while a create is in flight (cancelled, or its retry window ending during an attempt) is compensated,
/// the in-flight step included, whether that step's request commits before or after the undo.
/// </summary>
public sealed class CancellationTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>, IAsyncLifetime
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
    public async Task CancelledWhileCreatePartnerCommitsSlowly_PartnerAndClientAreGone_AndTheRunEndsCanceledAsLeadCancelled()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        // The backend stores the partner at once but its answer takes until the test releases it.
        var partner = flow.Backend.Faults.ForLead("/create_partner", LeadFlowFixture.LeadIdOf(eventJson)).HoldAnswer();

        var handle = await flow.StartLeadAsync(eventJson);
        await partner.Answered.WaitAsync(Patience);
        Assert.NotNull(await flow.Crm.FindPartnerAsync(rut));
        await handle.CancelAsync();
        var ended = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience));
        partner.Release();

        Assert.IsType<CanceledFailureException>(ended.InnerException);
        Assert.Equal(WorkflowExecutionStatus.Canceled, (await handle.DescribeAsync()).Status);
        Assert.Null(await flow.Crm.FindPartnerAsync(rut));
        Assert.Null(await flow.Crm.FindClientAsync(rut));

        var status = await handle.QueryAsync(workflow => workflow.GetStatus());
        Assert.Equal(LeadOutcome.Cancelled, status.Outcome);
        Assert.Equal(LeadErrorTypes.LeadCancelled, status.Error?.Type);
        Assert.Equal(LeadOnboardingSteps.CreatePartner, status.Error?.FailedStep);
        Assert.Equal(
            [(LeadOnboardingSteps.CreatePartner, CompensationOutcomes.Deleted), (LeadOnboardingSteps.CreateClient, CompensationOutcomes.Deleted)],
            status.Error!.Compensations!.Select(c => (c.Step, c.Outcome)));
        var record = Assert.Single(await flow.Crm.FailuresOfAsync(handle.Id));
        Assert.Equal(LeadOnboardingSteps.CreatePartner, record.Step);
        Assert.StartsWith($"{LeadErrorTypes.LeadCancelled}: ", record.Reason, StringComparison.Ordinal);
        Assert.Equal(status.Error.FailureRecordId, record.Id);

        await RecordedHistories.RecordIfAskedAsync(handle, RecordedHistories.CancelledLeadEventInput);
    }

    [Fact]
    public async Task CancelledWhileCreatePartnerIsStillOnItsWay_TheLateRequestWritesNothing()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        // The request reaches the endpoint only after the run was compensated (a slow network).
        var partner = flow.Backend.Faults.ForLead("/create_partner", LeadFlowFixture.LeadIdOf(eventJson)).HoldRequest();

        var handle = await flow.StartLeadAsync(eventJson);
        await partner.Arrived.WaitAsync(Patience);
        await handle.CancelAsync();
        await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience));
        partner.Release();
        await partner.Answered.WaitAsync(Patience);

        Assert.Null(await flow.Crm.FindPartnerAsync(rut));
        Assert.Null(await flow.Crm.FindClientAsync(rut));
        var status = await handle.QueryAsync(workflow => workflow.GetStatus());
        Assert.Equal(LeadOutcome.Cancelled, status.Outcome);
        Assert.Equal(
            [(LeadOnboardingSteps.CreatePartner, CompensationOutcomes.NothingToUndo), (LeadOnboardingSteps.CreateClient, CompensationOutcomes.Deleted)],
            status.Error!.Compensations!.Select(c => (c.Step, c.Outcome)));
    }

    [Fact]
    public async Task RetryWindowEndsWhileCreatePartnerCommits_PartnerAndClientAreGone_AndTheLeadFails()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var rut = TestLeads.RutOf(eventJson);
        var partner = flow.Backend.Faults.ForLead("/create_partner", LeadFlowFixture.LeadIdOf(eventJson)).HoldAnswer();

        var handle = await flow.StartLeadAsync(eventJson, LeadFlowFixture.FastRetries with { RetryWindow = TimeSpan.FromSeconds(3) });
        await partner.Answered.WaitAsync(Patience);
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience));
        partner.Release();

        Assert.Equal(LeadErrorTypes.LeadOnboardingFailed, Assert.IsType<ApplicationFailureException>(failed.InnerException).ErrorType);
        Assert.Null(await flow.Crm.FindPartnerAsync(rut));
        Assert.Null(await flow.Crm.FindClientAsync(rut));
        var status = await handle.QueryAsync(workflow => workflow.GetStatus());
        Assert.Equal(LeadOutcome.Failed, status.Outcome);
        Assert.Equal(LeadOnboardingSteps.CreatePartner, status.Error?.FailedStep);
        Assert.Contains("retry window", status.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(
            [(LeadOnboardingSteps.CreatePartner, CompensationOutcomes.Deleted), (LeadOnboardingSteps.CreateClient, CompensationOutcomes.Deleted)],
            status.Error.Compensations!.Select(c => (c.Step, c.Outcome)));
        Assert.Single(await flow.Crm.FailuresOfAsync(handle.Id));
    }

    [Fact]
    public async Task CancelledAfterItCompleted_ChangesNothing()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var handle = await flow.StartLeadAsync(eventJson);
        var result = await handle.GetResultAsync().WaitAsync(Patience);

        await Assert.ThrowsAsync<RpcException>(() => handle.CancelAsync());

        Assert.Equal(result.BenefitId, (await flow.Crm.FindBenefitAsync(TestLeads.RutOf(eventJson)))?.Id);
        Assert.Equal(WorkflowExecutionStatus.Completed, (await handle.DescribeAsync()).Status);
    }
}
