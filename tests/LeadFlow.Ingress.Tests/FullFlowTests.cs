using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeadFlow.Ingress.Redrive;
using LeadFlow.Ingress.Status;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Api.Enums.V1;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Tests;

/// <summary>HTTP intake -> Temporal -> the production worker -> the real backend and PostgreSQL; status and redrive.</summary>
public sealed class FullFlowTests(FullFlowFixture flow) : IClassFixture<FullFlowFixture>
{
    [Fact]
    public async Task PostedEvent_CompletesAndItsStatusSaysSo()
    {
        using var http = flow.Ingress.CreateClient();
        var eventId = TestEvents.NewEventId();

        using var posted = await http.PostAsync(new Uri("events", UriKind.Relative), TestEvents.JsonContent(TestEvents.Json(eventId)));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        await ResultAsync(LeadWorkflowIds.ForEvent(eventId));

        var status = await http.GetFromJsonAsync<JsonElement>(new Uri($"leads/{eventId}", UriKind.Relative));
        Assert.Equal("Completed", status.GetProperty("runStatus").GetString());
        Assert.Equal("Completed", status.GetProperty("lead").GetProperty("outcome").GetString());
        Assert.Equal("query", status.GetProperty("leadSource").GetString());
        Assert.True(status.GetProperty("workerPolling").GetBoolean());
        Assert.Equal("completed", status.GetProperty("explanation").GetString());
        var byWorkflowId = await http.GetFromJsonAsync<JsonElement>(new Uri($"leads/{LeadWorkflowIds.ForEvent(eventId)}", UriKind.Relative));
        Assert.Equal(status.GetProperty("runId").GetString(), byWorkflowId.GetProperty("runId").GetString());
    }

    [Fact]
    public async Task InvalidLead_IsStartedAndItsRejectionRecorded()
    {
        using var http = flow.Ingress.CreateClient();
        var eventId = TestEvents.NewEventId();
        var lead = TestEvents.Lead();
        lead["rut"] = "11111111-2";

        using var posted = await http.PostAsync(new Uri("events", UriKind.Relative), TestEvents.JsonContent(TestEvents.Envelope(eventId, lead).ToJsonString()));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        await Assert.ThrowsAsync<WorkflowFailedException>(() => ResultAsync(LeadWorkflowIds.ForEvent(eventId)));

        var status = await http.GetFromJsonAsync<JsonElement>(new Uri($"leads/{eventId}", UriKind.Relative));
        Assert.Equal("Failed", status.GetProperty("runStatus").GetString());
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), status.GetProperty("lead").GetProperty("leadId").GetString());
        var answer = status.GetProperty("lead");
        Assert.Equal("Rejected", answer.GetProperty("outcome").GetString());
        Assert.Equal("ReceiveLead", answer.GetProperty("error").GetProperty("failedStep").GetString());
        Assert.Contains(answer.GetProperty("error").GetProperty("fieldErrors").EnumerateArray(), e => e.GetProperty("field").GetString() == "rut");
    }

    [Fact]
    public async Task FailedLead_RedrivenAfterTheCauseIsFixed_Completes()
    {
        var eventId = TestEvents.NewEventId();
        var workflowId = LeadWorkflowIds.ForEvent(eventId);
        var redriver = new LeadRedriver(flow.ClientSource);
        // The partner is refused for good after the client was created: the failed run undoes the client,
        // and the redriven run must create it again (its own idempotency keys, not the undone answers).
        flow.Backend.Faults.FailAlways("/create_partner", StatusCodes400);
        try
        {
            using var http = flow.Ingress.CreateClient();
            using var posted = await http.PostAsync(new Uri("events", UriKind.Relative), TestEvents.JsonContent(TestEvents.Json(eventId)));
            await Assert.ThrowsAsync<WorkflowFailedException>(() => ResultAsync(workflowId));
        }
        finally
        {
            flow.Backend.Faults.Clear();
        }

        var outcome = await redriver.RedriveAsync(eventId);

        Assert.Equal(RedriveStatus.Restarted, outcome.Status);
        var result = await ResultAsync(workflowId);
        Assert.Equal(workflowId, result.LeadId);
        var again = await redriver.RedriveAsync(workflowId);
        Assert.Equal(RedriveStatus.RefusedCompleted, again.Status);
        Assert.Contains("cannot be re-run", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunningLead_IsLeftAloneByRedrive_AndUnknownLeadIsNotFound()
    {
        var redriver = new LeadRedriver(flow.ClientSource);

        var unknown = await redriver.RedriveAsync(TestEvents.NewEventId());

        Assert.Equal(RedriveStatus.NotFound, unknown.Status);
        // A lead on a task queue no worker polls stays running.
        var idle = await IngressTemporal.StartAsync();
        var started = await idle.Starter().StartAsync(TestEvents.Envelope().Bytes());
        var running = await new LeadRedriver(idle.ClientSource()).RedriveAsync(started.WorkflowId);
        Assert.Equal(RedriveStatus.StillRunning, running.Status);
        Assert.Equal(WorkflowExecutionStatus.Running, (await idle.Client.GetWorkflowHandle(started.WorkflowId).DescribeAsync()).Status);
    }

    [Fact]
    public async Task RefusedCredentials_TheLeadWaits_AndItsStatusSaysWhyAndWhatToFix()
    {
        var eventId = TestEvents.NewEventId();
        var workflowId = LeadWorkflowIds.ForEvent(eventId);
        flow.Backend.Faults.FailAlways("/create_client", 401);
        try
        {
            using var http = flow.Ingress.CreateClient();
            using var posted = await http.PostAsync(new Uri("events", UriKind.Relative), TestEvents.JsonContent(TestEvents.Json(eventId)));
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

            JsonElement status = default;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                status = await http.GetFromJsonAsync<JsonElement>(new Uri($"leads/{eventId}", UriKind.Relative));
                if (status.TryGetProperty("attention", out var attention) && attention.ValueKind == JsonValueKind.String)
                {
                    break;
                }

                await Task.Delay(100);
            }

            Assert.Equal("Running", status.GetProperty("runStatus").GetString());
            var said = status.GetProperty("attention").GetString()!;
            Assert.StartsWith("CRM refuses our credentials: CreateClient waits", said, StringComparison.Ordinal);
            Assert.Contains("Crm__ApiKey", said, StringComparison.Ordinal);

            // The alert: one Critical line per refused attempt, naming the lead, the step and the fix.
            Assert.Contains(flow.WorkerLogs.Entries, e => e.Level == LogLevel.Critical
                && e.Message.Contains(workflowId, StringComparison.Ordinal)
                && e.Message.Contains("CreateClient", StringComparison.Ordinal)
                && e.Message.Contains("CRM refuses our credentials", StringComparison.Ordinal)
                && e.Message.Contains("Crm__ApiKey", StringComparison.Ordinal));
            var pending = (await flow.Temporal.Client.GetWorkflowHandle(workflowId).DescribeAsync()).Status;
            Assert.Equal(WorkflowExecutionStatus.Running, pending);
        }
        finally
        {
            flow.Backend.Faults.Clear();
            await flow.Temporal.Client.GetWorkflowHandle(workflowId).TerminateAsync("test over");
        }
    }

    [Fact]
    public async Task ARetryingStep_IsExplainedWithItsAttemptAndLastFailure_WhileTheQueryStillAnswers()
    {
        using var http = flow.Ingress.CreateClient();
        var eventId = TestEvents.NewEventId();
        flow.Backend.Faults.FailNext("/create_partner", 3, 503);
        try
        {
            using var posted = await http.PostAsync(new Uri("events", UriKind.Relative), TestEvents.JsonContent(TestEvents.Json(eventId)));

            JsonElement status = default;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (status.ValueKind == JsonValueKind.Undefined
                || !status.GetProperty("explanation").GetString()!.StartsWith("waiting for a retry of CreatePartner (attempt ", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no retry was explained; last: {status}");
                await Task.Delay(100);
                status = await http.GetFromJsonAsync<JsonElement>(new Uri($"leads/{eventId}", UriKind.Relative));
            }

            Assert.Contains("last failure: CRM backend answered 503 to POST /create_partner", status.GetProperty("explanation").GetString(), StringComparison.Ordinal);
            Assert.Equal("query", status.GetProperty("leadSource").GetString());
            Assert.Equal("CreatePartner", status.GetProperty("lead").GetProperty("currentStep").GetString());
            await ResultAsync(LeadWorkflowIds.ForEvent(eventId));
        }
        finally
        {
            flow.Backend.Faults.Clear();
        }
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("rejected")]
    [InlineData("compensated")]
    [InlineData("cancelled")]
    public async Task WithoutAWorker_TheStatusRebuiltFromTheHistory_IsWhatTheQueryAnswers(string outcome)
    {
        var eventId = TestEvents.NewEventId();
        var lead = TestEvents.Lead();
        if (outcome == "rejected")
        {
            lead["rut"] = "11111111-2";
        }

        if (outcome == "compensated")
        {
            flow.Backend.Faults.FailAlways("/create_benefit", StatusCodes400);
        }

        // Cancelled while CreatePartner's request commits and its answer is held: undone by key, the run ends Canceled.
        var partner = outcome == "cancelled" ? flow.Backend.Faults.ForLead("/create_partner", LeadWorkflowIds.ForEvent(eventId)).HoldAnswer() : null;
        try
        {
            await flow.Temporal.Starter().StartAsync(TestEvents.Envelope(eventId, lead).Bytes());
            if (partner is not null)
            {
                await partner.Answered.WaitAsync(TimeSpan.FromSeconds(60));
                await flow.Temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).CancelAsync();
            }

            try
            {
                await ResultAsync(LeadWorkflowIds.ForEvent(eventId));
            }
            catch (WorkflowFailedException)
            {
                Assert.NotEqual("completed", outcome);
            }
        }
        finally
        {
            flow.Backend.Faults.Clear();
        }

        var withWorker = await new LeadStatusReader(flow.ClientSource).FindAsync(eventId);
        // A reader that counts no worker as polling: the server's view only, as when the worker is down.
        var withoutWorker = await new LeadStatusReader(flow.ClientSource, Options.Create(new LeadStatusOptions { WorkerSeenWithin = TimeSpan.FromTicks(1) })).FindAsync(eventId);

        Assert.Equal("query", withWorker!.LeadSource);
        Assert.Equal("history", withoutWorker!.LeadSource);
        Assert.False(withoutWorker.WorkerPolling);
        Assert.Equal(JsonSerializer.Serialize(withWorker.Lead), JsonSerializer.Serialize(withoutWorker.Lead));
        Assert.Equal(withWorker.Explanation, withoutWorker.Explanation);
        Assert.Equal(
            outcome switch { "completed" => LeadOutcome.Completed, "rejected" => LeadOutcome.Rejected, "cancelled" => LeadOutcome.Cancelled, _ => LeadOutcome.Failed },
            withoutWorker.Lead!.Outcome);
        if (outcome is "compensated" or "cancelled")
        {
            Assert.NotEmpty(withoutWorker.Lead.Error!.Compensations!);
        }
    }

    private const int StatusCodes400 = 400;

    private Task<LeadOnboardingResult> ResultAsync(string workflowId) =>
        flow.Temporal.Client.GetWorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>(workflowId).GetResultAsync().WaitAsync(TimeSpan.FromSeconds(60));
}
