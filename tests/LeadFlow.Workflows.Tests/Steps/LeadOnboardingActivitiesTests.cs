using LeadFlow.Leads;
using LeadFlow.Steps;
using LeadFlow.Temporal;
using LeadFlow.TestSupport;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Exceptions;
using Temporalio.Testing;

namespace LeadFlow.Workflows.Tests.Steps;

/// <summary>The Temporal wrappers: step errors become Temporal failures with the right type and retryability.</summary>
public sealed class LeadOnboardingActivitiesTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>, IAsyncLifetime
{
    private CrmTestClient crm = null!;

    public Task InitializeAsync()
    {
        crm = new CrmTestClient(backend.Host, backend.ConnectionString);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => crm.DisposeAsync().AsTask();

    private LeadOnboardingActivities Activities => crm.Get<LeadOnboardingActivities>();

    [Fact]
    public async Task InvalidLead_FailsNonRetryableAsLeadRejected_WithTheStepFailureAndItsFieldErrorsAsDetails()
    {
        var environment = InWorkflow("lead-invalid");

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(() =>
            environment.RunAsync(() => Activities.ReceiveLeadAsync(TestLeads.Event(TestLeads.Detail(TestLeads.InvalidRut())))));

        Assert.Equal(LeadErrorTypes.LeadRejected, failure.ErrorType);
        Assert.True(failure.NonRetryable);
        var described = failure.Details.ElementAt<StepFailure>(0);
        Assert.Equal(LeadOnboardingSteps.ReceiveLead, described.Step);
        Assert.Equal(LeadErrorTypes.LeadRejected, described.ErrorType);
        Assert.Equal("rut", Assert.Single(described.FieldErrors).Field);
    }

    [Fact]
    public async Task Conflict_FailsNonRetryableAsCrmConflict()
    {
        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(() =>
            InWorkflow("lead-conflict").RunAsync(() => Activities.CreatePartnerAsync(NewLead())));

        Assert.Equal(LeadErrorTypes.CrmConflict, failure.ErrorType);
        Assert.True(failure.NonRetryable);
    }

    [Fact]
    public async Task Outage_FailsRetryableAsCrmUnavailable()
    {
        backend.Host.Faults.FailNext("/create_client", 1, 502);

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(() =>
            InWorkflow("lead-outage").RunAsync(() => Activities.CreateClientAsync(NewLead())));

        Assert.Equal(LeadErrorTypes.CrmUnavailable, failure.ErrorType);
        Assert.False(failure.NonRetryable);
    }

    [Fact]
    public async Task IdempotencyKey_IsTheWorkflowIdRunIdAndStep()
    {
        var lead = NewLead();
        var run = InWorkflow("lead-keyed");

        var created = await run.RunAsync(() => Activities.CreateClientAsync(lead));
        var replayed = await crm.Api.CreateClientAsync(new(lead.Name, lead.Lastname, lead.Rut, lead.Mail, lead.Phone), $"lead-keyed:{run.Info.WorkflowRunId}:CreateClient");

        Assert.True(created.Created);
        Assert.True(replayed.Created, "the same key replays the first answer");
        Assert.Equal(created.Id, replayed.Id);
    }

    private static ActivityEnvironment InWorkflow(string workflowId) => new()
    {
        Info = ActivityEnvironment.DefaultInfo with { WorkflowId = workflowId, WorkflowRunId = Guid.NewGuid().ToString() },
    };

    private static Lead NewLead() => new("Alice", "Cooper", TestLeads.NewRut(), "+56 9 5454 5454", "acooper@example.com", "ESTACION_CENTRAL", WantsBenefit: true, "web");
}
