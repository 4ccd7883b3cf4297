using LeadFlow.StepFunctions.Tests.Support;
using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.TestSupport;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>
/// The committed definition executed by aws-local-stepfunctions, its Task states invoking the real step
/// handlers through a local Lambda Invoke endpoint, against the real backend over a real PostgreSQL:
/// the same outcomes as the Temporal workflow's runs.
/// </summary>
public sealed class LocalExecutionTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>, IAsyncLifetime
{
    private static readonly string[] HappyPath =
        [LeadOnboardingSteps.ReceiveLead, LeadOnboardingSteps.CreateClient, LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateBenefit, LeadOnboardingSteps.NotifyBranch, "LeadOnboarded"];

    private LocalStateMachine machine = null!;
    private CrmTestClient crm = null!;

    public async Task InitializeAsync()
    {
        machine = await LocalStateMachine.StartAsync(backend.Host);
        crm = new CrmTestClient(backend.Host, backend.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        backend.Host.Faults.Clear();
        await crm.DisposeAsync();
        await machine.DisposeAsync();
    }

    [Fact]
    public async Task ValidLead_BecomesClientPartnerAndBenefit_AndTheExecutionSucceeds()
    {
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        var leadId = TestEvents.LeadIdOf(envelope);

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), leadId);

        Assert.True(run.Status == "SUCCEEDED", run.ToString());
        Assert.Equal(HappyPath, run.States);
        var client = await crm.FindClientAsync(rut);
        Assert.NotNull(client);
        Assert.Equal("Alice", client.Name);
        Assert.Equal("ESTACION_CENTRAL", (await crm.FindPartnerAsync(rut))?.Store);
        Assert.True((await crm.FindBenefitAsync(rut))?.WantsBenefit);
        Assert.Equal(leadId, run.Output!["received"]!["leadId"]!.GetValue<string>());
        Assert.Equal(client.Id, run.Output["steps"]!["client"]!["id"]!.GetValue<long>());
        Assert.True(run.Output["steps"]!["client"]!["created"]!.GetValue<bool>());
        Assert.Empty(await crm.FailuresOfAsync(leadId));

        // NotifyBranch__Enabled is off by default: the state runs, calls nothing and writes nothing.
        Assert.Null(run.Output["steps"]!["notifyBranch"]);
        Assert.Equal(0, await crm.RowsAsync("branch_notifications", rut));
    }

    [Fact]
    public async Task InvalidLead_IsRejectedWithoutRetriesOrWrites_AndTheFailureIsRecordedWithItsFields()
    {
        var rut = TestEvents.InvalidRut();
        var envelope = TestEvents.Envelope(rut);
        var leadId = TestEvents.LeadIdOf(envelope);

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), leadId);

        Assert.Equal("FAILED", run.Status);
        Assert.Equal(LeadErrorTypes.LeadRejected, run.Error);
        Assert.Equal([LeadOnboardingSteps.ReceiveLead, LeadOnboardingSteps.RecordFailure, "RejectedOrFailed", "LeadRejected"], run.States);
        Assert.Equal(0, run.RetriesOf(LeadOnboardingSteps.ReceiveLead));
        Assert.StartsWith($"Lead {leadId} rejected at ReceiveLead (LeadRejected): ", run.Cause, StringComparison.Ordinal);
        Assert.Equal(0, await crm.RowsAsync("clients", rut));

        var failure = Assert.Single(await crm.FailuresOfAsync(leadId));
        Assert.Equal(LeadOnboardingSteps.ReceiveLead, failure.Step);
        Assert.StartsWith("LeadRejected: ", failure.Reason, StringComparison.Ordinal);
        Assert.Contains(failure.Errors ?? [], e => e.Field == "rut");
        Assert.EndsWith($":execution:LeadOnboarding:{leadId}", failure.PayloadReference, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackendFailingTwice_IsRetriedByTheStateMachine_AndEachRowIsWrittenOnce()
    {
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        // The class shares one backend: count only this test's faults, whatever order the tests run in.
        var injectedBefore = backend.Host.Faults.InjectedCount("/create_client");
        backend.Host.Faults.FailNext("/create_client", 2, 503);
        backend.Host.Faults.FailNext("/create_partner", 2, 503);

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), TestEvents.LeadIdOf(envelope));

        Assert.True(run.Status == "SUCCEEDED", run.ToString());
        Assert.Equal(2, run.RetriesOf(LeadOnboardingSteps.CreateClient));
        Assert.Equal(2, run.RetriesOf(LeadOnboardingSteps.CreatePartner));
        Assert.Equal(0, run.RetriesOf(LeadOnboardingSteps.CreateBenefit));
        Assert.Equal(injectedBefore + 2, backend.Host.Faults.InjectedCount("/create_client"));
        Assert.Equal(1, await crm.RowsAsync("clients", rut));
        Assert.Equal(1, await crm.RowsAsync("partners", rut));
        Assert.Equal(1, await crm.RowsAsync("benefits", rut));
    }

    [Fact]
    public async Task ThrottlingCrm_IsRetriedByItsOwnRetrier_AndEachRowIsWrittenOnce()
    {
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        var injectedBefore = backend.Host.Faults.InjectedCount("/create_partner");
        backend.Host.Faults.FailNext("/create_partner", 2, 429, retryAfter: "2");

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), TestEvents.LeadIdOf(envelope));

        Assert.True(run.Status == "SUCCEEDED", run.ToString());
        Assert.Equal(2, run.RetriesOf(LeadOnboardingSteps.CreatePartner));
        Assert.All(run.RetriersOf(LeadOnboardingSteps.CreatePartner), retrier => Assert.Equal([LeadErrorTypes.CrmThrottled], retrier));
        Assert.Equal(injectedBefore + 2, backend.Host.Faults.InjectedCount("/create_partner"));
        Assert.Equal(1, await crm.RowsAsync("partners", rut));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task RefusedCredentials_AreRetriedByTheirOwnRetrier_AndTheLeadGoesOnOnceTheKeyIsFixed(int status)
    {
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        var injectedBefore = backend.Host.Faults.InjectedCount("/create_client");
        backend.Host.Faults.FailNext("/create_client", 2, status);

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), TestEvents.LeadIdOf(envelope));

        // Not the transient retrier's backoff and not a failure: CrmUnauthorized's own retrier (every 5 minutes when deployed).
        Assert.True(run.Status == "SUCCEEDED", run.ToString());
        Assert.Equal(2, run.RetriesOf(LeadOnboardingSteps.CreateClient));
        Assert.All(run.RetriersOf(LeadOnboardingSteps.CreateClient), retrier => Assert.Equal([LeadErrorTypes.CrmUnauthorized], retrier));
        Assert.Equal(injectedBefore + 2, backend.Host.Faults.InjectedCount("/create_client"));
        Assert.Equal(1, await crm.RowsAsync("clients", rut));
    }

    /// <summary>Execution inputs whose event is no lead event: each ends at once, rejected and recorded, ReceiveLead never retried.</summary>
    public static TheoryData<string, string> NotALeadEvent => new()
    {
        { "null", "event: must be a JSON object, got null" },
        { "42", "event: must be a JSON object, got number" },
        { "[1,2]", "event: must be a JSON object, got array" },
        { "{}", "detail: is required" },
        { "\"not json\"", "event: is not valid JSON" },
        { """{"id":"ID","source":"crm.leads","detail-type":"LeadSubmitted"}""", "detail: is required" },
    };

    [Theory]
    [MemberData(nameof(NotALeadEvent))]
    public async Task AnEventThatIsNoLeadEvent_EndsRejectedAtOnce_WithTheReasonRecorded(string eventJson, string reason)
    {
        var executionName = $"lead-malformed-{Guid.NewGuid():N}";
        var eventId = $"no-detail-{Guid.NewGuid():N}";

        var run = await machine.RunAsync(new System.Text.Json.Nodes.JsonObject { ["event"] = System.Text.Json.Nodes.JsonNode.Parse(eventJson.Replace("\"ID\"", $"\"{eventId}\"", StringComparison.Ordinal)) }, executionName);

        Assert.Equal("FAILED", run.Status);
        Assert.Equal(LeadErrorTypes.LeadRejected, run.Error);
        Assert.Equal([LeadOnboardingSteps.ReceiveLead, LeadOnboardingSteps.RecordFailure, "RejectedOrFailed", "LeadRejected"], run.States);
        Assert.Equal(0, run.RetriesOf(LeadOnboardingSteps.ReceiveLead));
        var leadId = eventJson.Contains("\"ID\"", StringComparison.Ordinal) ? $"lead-{eventId}" : executionName;
        var failure = Assert.Single(await crm.FailuresOfAsync(leadId));
        Assert.Equal(LeadOnboardingSteps.ReceiveLead, failure.Step);
        Assert.Contains(reason, failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameEventStartedTwice_WritesNothingTwice_AndTheSecondExecutionOwnsNothing()
    {
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);

        // EventBridge names the executions itself: two deliveries are two executions with different names.
        var first = await machine.RunAsync(TestEvents.ExecutionInput(envelope), $"delivery-1-{Guid.NewGuid():N}");
        var second = await machine.RunAsync(TestEvents.ExecutionInput(envelope), $"delivery-2-{Guid.NewGuid():N}");

        Assert.Equal("SUCCEEDED", first.Status);
        Assert.Equal("SUCCEEDED", second.Status);
        foreach (var step in new[] { "client", "partner", "benefit" })
        {
            // Each execution has its own idempotency keys; the RUT keeps the rows single, and the second
            // execution learns they existed already, so a failure of it would not undo the first's rows.
            Assert.Equal(first.Output!["steps"]![step]!["id"]!.GetValue<long>(), second.Output!["steps"]![step]!["id"]!.GetValue<long>());
            Assert.True(first.Output!["steps"]![step]!["created"]!.GetValue<bool>());
            Assert.False(second.Output!["steps"]![step]!["created"]!.GetValue<bool>());
        }

        Assert.Equal(1, await crm.RowsAsync("clients", rut));
        Assert.Equal(1, await crm.RowsAsync("partners", rut));
        Assert.Equal(1, await crm.RowsAsync("benefits", rut));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PermanentFailureAtCreateBenefit_UndoesOnlyWhatThisExecutionCreated_RecordsIt_AndFails(bool clientExistedBefore)
    {
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        var leadId = TestEvents.LeadIdOf(envelope);
        var existing = clientExistedBefore
            ? await crm.Api.CreateClientAsync(new CreateClientRequest("Alice", "Cooper", rut, "acooper@example.com", "+56 9 5454 5454"), $"earlier-{Guid.NewGuid():N}")
            : null;
        backend.Host.Faults.FailAlways("/create_benefit", 422);

        var run = await machine.RunAsync(TestEvents.ExecutionInput(envelope), leadId);
        backend.Host.Faults.Clear();

        Assert.Equal("FAILED", run.Status);
        Assert.Equal(LeadErrorTypes.LeadOnboardingFailed, run.Error);
        Assert.Equal(
            [.. HappyPath.TakeWhile(step => step != LeadOnboardingSteps.NotifyBranch), LeadOnboardingSteps.RecordFailure, "RejectedOrFailed", "LeadOnboardingFailed"],
            run.States);
        Assert.Equal(0, run.RetriesOf(LeadOnboardingSteps.CreateBenefit));
        Assert.StartsWith($"Lead {leadId} failed at CreateBenefit (CrmRejected): ", run.Cause, StringComparison.Ordinal);

        Assert.Null(await crm.FindPartnerAsync(rut));
        Assert.Null(await crm.FindBenefitAsync(rut));
        Assert.Equal(existing?.Id, (await crm.FindClientAsync(rut))?.Id);

        var failure = Assert.Single(await crm.FailuresOfAsync(leadId));
        Assert.Equal(LeadOnboardingSteps.CreateBenefit, failure.Step);
        Assert.StartsWith("CrmRejected: ", failure.Reason, StringComparison.Ordinal);

        var undone = run.LastStateInput!["failure"]!["undone"]!.AsArray().Select(r => r!["step"]!.GetValue<string>());
        Assert.Equal(clientExistedBefore ? ["CreatePartner"] : ["CreatePartner", "CreateClient"], undone);
    }
}
