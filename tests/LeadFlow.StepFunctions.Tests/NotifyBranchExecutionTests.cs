using LeadFlow.StepFunctions.Tests.Support;
using LeadFlow.Steps;
using LeadFlow.TestSupport;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>
/// The optional NotifyBranch state switched on (<c>NotifyBranch__Enabled=true</c> on the step Lambdas), the committed
/// definition run by aws-local-stepfunctions against the real backend: the store is told once, and a refusal of the
/// notification undoes the whole lead like any step's.
/// </summary>
public sealed class NotifyBranchExecutionTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>, IAsyncLifetime
{
    private LocalStateMachine machine = null!;
    private CrmTestClient crm = null!;

    public async Task InitializeAsync()
    {
        machine = await LocalStateMachine.StartAsync(backend.Host, notifyBranch: true);
        crm = new CrmTestClient(backend.Host, backend.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        backend.Host.Faults.Clear();
        await crm.DisposeAsync();
        await machine.DisposeAsync();
    }

    [Fact]
    public async Task NotifyBranchOn_TellsTheStoreOnce_AfterTheBenefit()
    {
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        var leadId = TestEvents.LeadIdOf(envelope);
        backend.Host.Faults.FailNext("/notify_branch", 1, 503);

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), leadId);

        Assert.True(run.Status == "SUCCEEDED", run.ToString());
        Assert.Equal([LeadOnboardingSteps.ReceiveLead, LeadOnboardingSteps.CreateClient, LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateBenefit, LeadOnboardingSteps.NotifyBranch, "LeadOnboarded"], run.States);
        Assert.Equal(1, run.RetriesOf(LeadOnboardingSteps.NotifyBranch));
        Assert.Equal(1, await crm.RowsAsync("branch_notifications", rut));
        var notification = await crm.ReadApi.FindBranchNotificationByRutAsync(new LeadFlow.Steps.Crm.RutLookupRequest(rut));
        Assert.Equal("ESTACION_CENTRAL", notification.Store);
        Assert.Equal(notification.Id, run.Output!["steps"]!["notifyBranch"]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task NotificationRefusedForGood_UndoesBenefitPartnerAndClient_AndRecordsTheFailureAtNotifyBranch()
    {
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        var leadId = TestEvents.LeadIdOf(envelope);
        backend.Host.Faults.FailAlways("/notify_branch", 422);

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), leadId);
        backend.Host.Faults.Clear();

        Assert.Equal("FAILED", run.Status);
        Assert.Equal(0, run.RetriesOf(LeadOnboardingSteps.NotifyBranch));
        Assert.Null(await crm.FindClientAsync(rut));
        Assert.Null(await crm.FindPartnerAsync(rut));
        Assert.Null(await crm.FindBenefitAsync(rut));
        Assert.Equal(0, await crm.RowsAsync("branch_notifications", rut));
        var failure = Assert.Single(await crm.FailuresOfAsync(leadId));
        Assert.Equal(LeadOnboardingSteps.NotifyBranch, failure.Step);
        var undone = run.LastStateInput!["failure"]!["undone"]!.AsArray().Select(r => r!["step"]!.GetValue<string>());
        Assert.Equal(["CreateBenefit", "CreatePartner", "CreateClient"], undone);
    }
}
