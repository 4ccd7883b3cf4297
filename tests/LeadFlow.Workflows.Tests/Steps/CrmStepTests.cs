using System.Net;
using System.Net.Sockets;
using LeadFlow.Leads;
using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.TestSupport;
using LeadFlow.Workflows.Tests.Support;

namespace LeadFlow.Workflows.Tests.Steps;

/// <summary>The create and error steps against the real backend and PostgreSQL, without Temporal.</summary>
public sealed class CrmStepTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>, IAsyncLifetime
{
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

    private CreateStepRunner Runner => crm.Get<CreateStepRunner>();

    [Fact]
    public async Task CreateClient_SaysWhetherThisRunCreatedTheRow()
    {
        var lead = NewLead();

        var first = await Runner.RunAsync(CreateSteps.Client, lead, "lead-first", "run-1", default);
        var retried = await Runner.RunAsync(CreateSteps.Client, lead, "lead-first", "run-1", default);
        var otherRun = await Runner.RunAsync(CreateSteps.Client, lead, "lead-other", "run-1", default);

        Assert.Equal(new StepRecord(LeadOnboardingSteps.CreateClient, first.Id, Created: true), first);
        Assert.Equal(first, retried);
        Assert.Equal(new StepRecord(LeadOnboardingSteps.CreateClient, first.Id, Created: false), otherRun);
        Assert.Equal(first.Id, (await crm.FindClientAsync(lead.Rut))!.Id);
    }

    [Fact]
    public async Task NextRun_AfterTheFailedRunUndidItsClient_CreatesTheClientAgain()
    {
        var lead = NewLead();
        var client = await Runner.RunAsync(CreateSteps.Client, lead, "lead-redriven", "run-1", default);
        var failure = new LeadFailure("lead-redriven", LeadOnboardingSteps.CreatePartner, "partner refused", LeadErrorTypes.CrmRejected, [], [client], "temporal://test");
        await crm.Get<RecordFailureStep>().RunAsync(failure, "run-1", default);

        var redriven = await Runner.RunAsync(CreateSteps.Client, lead, "lead-redriven", "run-2", default);

        Assert.True(redriven.Created);
        Assert.NotEqual(client.Id, redriven.Id);
        Assert.Equal(redriven.Id, (await crm.FindClientAsync(lead.Rut))?.Id);
    }

    [Fact]
    public async Task PartnerOfUnknownClient_IsANonRetryableConflict()
    {
        var conflict = await Assert.ThrowsAsync<CrmPermanentException>(() => Runner.RunAsync(CreateSteps.Partner, NewLead(), "lead-x", "run-1", default));

        Assert.Equal(409, conflict.StatusCode);
        Assert.Equal(LeadErrorTypes.CrmConflict, conflict.ErrorType);
        Assert.False(conflict.Retryable);
    }

    [Fact]
    public async Task InvalidRequest_IsRejectedWithTheBackendsFieldErrors()
    {
        var rejected = await Assert.ThrowsAsync<CrmPermanentException>(() =>
            crm.Api.CreateClientAsync(new CreateClientRequest("", "Cooper", TestLeads.NewRut(), "acooper@example.com", "+56 9 5454 5454"), "lead-invalid:CreateClient"));

        Assert.Equal(400, rejected.StatusCode);
        Assert.Equal(LeadErrorTypes.CrmRejected, rejected.ErrorType);
        Assert.Contains(rejected.FieldErrors, e => e.Field == "name" && e.Rule == "required");
    }

    [Fact]
    public async Task ServerError_IsRetryable()
    {
        backend.Host.Faults.FailNext("/create_client", 1, 503);

        var unavailable = await Assert.ThrowsAsync<CrmTransientException>(() => Runner.RunAsync(CreateSteps.Client, NewLead(), "lead-503", "run-1", default));

        Assert.Equal(503, unavailable.StatusCode);
        Assert.Equal(LeadErrorTypes.CrmUnavailable, unavailable.ErrorType);
        Assert.True(unavailable.Retryable);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task RefusedCredentials_AreAnOperatorsFix_NotAnOutage(int status)
    {
        backend.Host.Faults.FailNext("/create_client", 1, status);

        var refused = await Assert.ThrowsAsync<CrmUnauthorizedException>(() => Runner.RunAsync(CreateSteps.Client, NewLead(), "lead-401", "run-1", default));

        Assert.Equal(status, refused.StatusCode);
        Assert.Equal(LeadErrorTypes.CrmUnauthorized, refused.ErrorType);
        Assert.True(refused.Retryable);
        Assert.StartsWith("CRM refuses our credentials", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Crm__ApiKey", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(LeadErrorTypes.CrmUnauthorized, LeadOnboardingSteps.DefaultRetry.NonRetryableErrorTypes);
    }

    [Fact]
    public async Task TheReadKeyWhereTheWriteKeyBelongs_IsRefusedCredentials()
    {
        await using var withReadKey = new CrmTestClient(backend.Host, backend.ConnectionString, apiKey: backend.Host.ReadApiKey);

        var refused = await Assert.ThrowsAsync<CrmUnauthorizedException>(() =>
            withReadKey.Get<CreateStepRunner>().RunAsync(CreateSteps.Client, NewLead(), "lead-readkey", "run-1", default));

        Assert.Equal(403, refused.StatusCode);
    }

    /// <summary>RFC 9110 section 10.2.3: Retry-After is delay-seconds or an HTTP-date; 429 throttles with or without it, 503 only with it.</summary>
    [Theory]
    [InlineData(429, "7", LeadErrorTypes.CrmThrottled, 7.0)]
    [InlineData(503, "2", LeadErrorTypes.CrmThrottled, 2.0)]
    [InlineData(503, "in-a-while", LeadErrorTypes.CrmUnavailable, null)]
    [InlineData(503, null, LeadErrorTypes.CrmUnavailable, null)]
    [InlineData(429, null, LeadErrorTypes.CrmThrottled, null)]
    [InlineData(429, "0", LeadErrorTypes.CrmThrottled, 0.0)]
    public async Task ThrottlingAnswer_IsRetryable_WithTheDelayItAsksFor(int status, string? retryAfter, string errorType, double? seconds)
    {
        backend.Host.Faults.FailNext("/create_client", 1, status, retryAfter);

        var throttled = await Assert.ThrowsAsync<CrmTransientException>(() => Runner.RunAsync(CreateSteps.Client, NewLead(), "lead-throttled", "run-1", default));

        Assert.Equal(errorType, throttled.ErrorType);
        Assert.True(throttled.Retryable);
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, throttled.RetryAfter);
    }

    [Fact]
    public async Task RetryAfterAsAnHttpDate_IsTheDelayUntilThatDate()
    {
        backend.Host.Faults.FailNext("/create_client", 1, 503, DateTime.UtcNow.AddSeconds(30).ToString("R", System.Globalization.CultureInfo.InvariantCulture));

        var throttled = await Assert.ThrowsAsync<CrmTransientException>(() => Runner.RunAsync(CreateSteps.Client, NewLead(), "lead-date", "run-1", default));

        Assert.Equal(LeadErrorTypes.CrmThrottled, throttled.ErrorType);
        Assert.InRange(throttled.RetryAfter!.Value, TimeSpan.FromSeconds(28), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RefusedConnection_IsRetryable()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var nowhere = new CrmTestClient(backend.Host, backend.ConnectionString, new Uri($"http://127.0.0.1:{port}"));

        var unavailable = await Assert.ThrowsAsync<CrmTransientException>(() =>
            nowhere.Get<CreateStepRunner>().RunAsync(CreateSteps.Client, NewLead(), "lead-refused", "run-1", default));

        Assert.Null(unavailable.StatusCode);
        Assert.Contains("not reachable", unavailable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackendThatDoesNotAnswerInTime_IsRetryable()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var slow = new CrmTestClient(backend.Host, backend.ConnectionString, new Uri($"http://127.0.0.1:{port}"), TimeSpan.FromMilliseconds(300));

        var unavailable = await Assert.ThrowsAsync<CrmTransientException>(() =>
            slow.Get<CreateStepRunner>().RunAsync(CreateSteps.Client, NewLead(), "lead-slow", "run-1", default));

        Assert.Contains("in time", unavailable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordFailure_UndoesOnlyWhatThisRunCreated_NewestFirst_ThenRecordsTheFailure()
    {
        var lead = NewLead();
        var existingClient = await Runner.RunAsync(CreateSteps.Client, lead, "lead-earlier-run", "run-1", default);
        var client = await Runner.RunAsync(CreateSteps.Client, lead, "lead-compensated", "run-1", default);
        var partner = await Runner.RunAsync(CreateSteps.Partner, lead, "lead-compensated", "run-1", default);
        var benefit = await Runner.RunAsync(CreateSteps.Benefit, lead, "lead-compensated", "run-1", default);
        FieldError[] fieldErrors = [new("wantsBenefit", "benefit.rule", "is not allowed for this store")];
        var failure = new LeadFailure("lead-compensated", LeadOnboardingSteps.CreateBenefit, "benefit refused", LeadErrorTypes.CrmRejected, fieldErrors, [client, partner, benefit], "temporal://test");

        var outcome = await crm.Get<RecordFailureStep>().RunAsync(failure, "run-1", default);
        var again = await crm.Get<RecordFailureStep>().RunAsync(failure, "run-1", default);

        Assert.False(client.Created);
        Assert.Equal([benefit, partner], outcome.Undone);
        Assert.Equal(outcome.FailureId, again.FailureId);
        Assert.Equal(existingClient.Id, (await crm.FindClientAsync(lead.Rut))?.Id);
        Assert.Null(await crm.FindPartnerAsync(lead.Rut));
        Assert.Null(await crm.FindBenefitAsync(lead.Rut));
        var recorded = Assert.Single(await crm.FailuresOfAsync("lead-compensated"));
        Assert.Equal(LeadOnboardingSteps.CreateBenefit, recorded.Step);
        Assert.StartsWith($"{LeadErrorTypes.CrmRejected}: benefit refused", recorded.Reason, StringComparison.Ordinal);
        Assert.Equal(fieldErrors, recorded.Errors);
        Assert.Equal("temporal://test", recorded.PayloadReference);
    }

    [Fact]
    public async Task RecordFailure_UndoesTheFailedStepByKeyToo_WhenItsAnswerNeverCameBack()
    {
        var lead = NewLead();
        var client = await Runner.RunAsync(CreateSteps.Client, lead, "lead-lost-answer", "run-1", default);
        // The partner committed, but the step never reported it (a timeout, a cancel): only the client is on record.
        var partner = await Runner.RunAsync(CreateSteps.Partner, lead, "lead-lost-answer", "run-1", default);
        var failure = new LeadFailure("lead-lost-answer", LeadOnboardingSteps.CreatePartner, "timed out", LeadErrorTypes.CrmUnavailable, [], [client], "temporal://test");

        var outcome = await crm.Get<RecordFailureStep>().RunAsync(failure, "run-1", default);

        Assert.Equal(
            [(LeadOnboardingSteps.CreatePartner, CompensationOutcomes.Deleted, partner.Id), (LeadOnboardingSteps.CreateClient, CompensationOutcomes.Deleted, client.Id)],
            outcome.Compensations!.Select(c => (c.Step, c.Outcome, c.Id ?? 0)));
        Assert.Equal([LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateClient], outcome.Undone.Select(r => r.Step));
        Assert.Null(await crm.FindPartnerAsync(lead.Rut));
        Assert.Null(await crm.FindClientAsync(lead.Rut));
        var recorded = Assert.Single(await crm.FailuresOfAsync("lead-lost-answer"));
        Assert.EndsWith($"| undo: CreatePartner partner {partner.Id} deleted; CreateClient client {client.Id} deleted", recorded.Reason, StringComparison.Ordinal);
        Assert.Equal([CompensationOutcomes.Deleted, CompensationOutcomes.Deleted], recorded.Compensations!.Select(c => c.Outcome));
    }

    [Fact]
    public async Task RecordFailure_UndoRefusedForItsOrder_IsRecordedAsNotUndone_AndTheFailureStillRecorded()
    {
        var lead = NewLead();
        await Runner.RunAsync(CreateSteps.Client, lead, "lead-out-of-order", "run-1", default);
        await Runner.RunAsync(CreateSteps.Partner, lead, "lead-out-of-order", "run-1", default);
        // A failure that names the wrong step: the undo reaches the client while this run still holds its partner.
        var failure = new LeadFailure("lead-out-of-order", LeadOnboardingSteps.CreateClient, "misreported", LeadErrorTypes.CrmRejected, [], [], "temporal://test");

        var outcome = await crm.Get<RecordFailureStep>().RunAsync(failure, "run-1", default);

        var notUndone = Assert.Single(outcome.Compensations!);
        Assert.Equal(StepCompensation.NotUndone, notUndone.Outcome);
        Assert.False(notUndone.Undone);
        Assert.NotNull(await crm.FindClientAsync(lead.Rut));
        var recorded = Assert.Single(await crm.FailuresOfAsync("lead-out-of-order"));
        Assert.Contains("CreateClient not undone: ", recorded.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LeadOnboardingSteps.ReceiveLead, new string[0])]
    [InlineData(LeadOnboardingSteps.CreateClient, new[] { LeadOnboardingSteps.CreateClient })]
    [InlineData(LeadOnboardingSteps.CreateBenefit, new[] { LeadOnboardingSteps.CreateClient, LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateBenefit })]
    [InlineData(LeadOnboardingSteps.NotifyBranch, new[] { LeadOnboardingSteps.CreateClient, LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateBenefit, LeadOnboardingSteps.NotifyBranch })]
    [InlineData("(unknown)", new[] { LeadOnboardingSteps.CreateClient, LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateBenefit, LeadOnboardingSteps.NotifyBranch })]
    public void StartedUpTo_IsEveryCreateBeforeTheStepAndTheStepItself(string step, string[] expected) =>
        Assert.Equal(expected, CreateSteps.StartedUpTo(step).Select(s => s.Name));

    private static Lead NewLead() => new("Alice", "Cooper", TestLeads.NewRut(), "+56 9 5454 5454", "acooper@example.com", "ESTACION_CENTRAL", WantsBenefit: true, "web");
}
