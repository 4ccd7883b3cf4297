using System.Text.Json.Nodes;
using LeadFlow.StepFunctions.Tests.Support;
using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.TestSupport;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>
/// Issue 11 on the Step Functions target: the committed definition run by aws-local-stepfunctions with the real step
/// handlers, two executions of one person at once, and the error step's undo by key (the failed step included, also
/// after States.Timeout): the same outcomes as the Temporal workflow's.
/// </summary>
public sealed class OverlappingLeadsTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private CrmTestClient crm = null!;

    public Task InitializeAsync()
    {
        backend.Host.Faults.Clear();
        crm = new CrmTestClient(backend.Host, backend.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        backend.Host.Faults.Clear();
        await crm.DisposeAsync();
    }

    [Fact]
    public async Task SecondExecutionSucceedsWhileTheFirstFailsAtBenefit_EveryIdTheSecondReportedStays_AndTheFirstSaysForWhom()
    {
        await using var machine = await LocalStateMachine.StartAsync(backend.Host);
        var rut = TestEvents.NewRut();
        var first = TestEvents.Envelope(rut);
        var second = TestEvents.Envelope(rut);
        second["detail"]!["mail"] = "new.mail@example.com";
        second["detail"]!["phone"] = "+56 9 7777 8888";
        var (e1, e2) = (TestEvents.LeadIdOf(first), TestEvents.LeadIdOf(second));
        var firstBenefit = backend.Host.Faults.ForLead("/create_benefit", e1).HoldRequest().Fail(422);

        var firstRun = machine.RunAsync(TestEvents.ExecutionInput(first), e1);
        await firstBenefit.Arrived.WaitAsync(Patience);
        var secondRun = await machine.RunAsync(TestEvents.ExecutionInput(second), e2);
        firstBenefit.Release();
        var failed = await firstRun.WaitAsync(Patience);

        Assert.True(secondRun.Status == "SUCCEEDED", secondRun.ToString());
        Assert.Equal("FAILED", failed.Status);
        Assert.Equal(LeadErrorTypes.LeadOnboardingFailed, failed.Error);
        var steps = secondRun.Output!["steps"]!;
        Assert.Equal(steps["client"]!["id"]!.GetValue<long>(), (await crm.FindClientAsync(rut))?.Id);
        Assert.Equal(steps["partner"]!["id"]!.GetValue<long>(), (await crm.FindPartnerAsync(rut))?.Id);
        Assert.Equal(steps["benefit"]!["id"]!.GetValue<long>(), (await crm.FindBenefitAsync(rut))?.Id);
        Assert.Equal(["mail", "phone"], AslDocument.Strings(steps["client"]!["differingFields"]));

        var record = Assert.Single(await crm.FailuresOfAsync(e1));
        Assert.Equal(LeadOnboardingSteps.CreateBenefit, record.Step);
        Assert.Contains($"CreatePartner partner {steps["partner"]!["id"]} kept for {e2} (run {e2})", record.Reason, StringComparison.Ordinal);
        Assert.Contains($"CreateClient client {steps["client"]!["id"]} kept for {e2} (run {e2})", record.Reason, StringComparison.Ordinal);
        Assert.Equal(
            [CompensationOutcomes.NothingToUndo, CompensationOutcomes.Kept, CompensationOutcomes.Kept],
            failed.LastStateInput!["failure"]!["compensations"]!.AsArray().Select(c => c!["outcome"]!.GetValue<string>()));
        Assert.Empty(failed.LastStateInput["failure"]!["undone"]!.AsArray());
    }

    [Fact]
    public async Task CreatePartnerTimesOutWhileItsRequestCommits_TheErrorStepUndoesPartnerAndClient()
    {
        // Shorter than the deployed 30 s, and one retry instead of the window's many: the States.Timeout path in seconds.
        await using var machine = await LocalStateMachine.StartAsync(backend.Host, definition =>
        {
            var partner = AslDocument.State(definition, LeadOnboardingSteps.CreatePartner);
            partner["TimeoutSeconds"] = 2;
            partner["Retry"]!.AsArray().Insert(0, new JsonObject { ["ErrorEquals"] = new JsonArray("States.Timeout"), ["MaxAttempts"] = 1, ["IntervalSeconds"] = 1 });
        });
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        var leadId = TestEvents.LeadIdOf(envelope);
        // The partner is stored at once; the answers (first attempt and retry) come only after the execution ended.
        var partner = backend.Host.Faults.ForLead("/create_partner", leadId).HoldAnswer();

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), leadId).WaitAsync(Patience);
        Assert.True(partner.Answered.IsCompleted);
        partner.Release();

        Assert.Equal("FAILED", run.Status);
        Assert.Equal(LeadErrorTypes.LeadOnboardingFailed, run.Error);
        Assert.Equal(1, run.RetriesOf(LeadOnboardingSteps.CreatePartner));
        Assert.StartsWith($"Lead {leadId} failed at CreatePartner (States.Timeout)", run.Cause, StringComparison.Ordinal);
        Assert.Null(await crm.FindPartnerAsync(rut));
        Assert.Null(await crm.FindClientAsync(rut));
        Assert.Equal(
            [(LeadOnboardingSteps.CreatePartner, CompensationOutcomes.Deleted), (LeadOnboardingSteps.CreateClient, CompensationOutcomes.Deleted)],
            run.LastStateInput!["failure"]!["compensations"]!.AsArray().Select(c => (c!["step"]!.GetValue<string>(), c["outcome"]!.GetValue<string>())));
        var record = Assert.Single(await crm.FailuresOfAsync(leadId));
        Assert.Equal(LeadOnboardingSteps.CreatePartner, record.Step);
    }
}
