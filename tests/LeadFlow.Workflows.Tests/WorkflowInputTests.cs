using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Leads;
using LeadFlow.Steps;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// The workflow's input is the bus event itself: a lead started by any plain Temporal client (the Web UI's "Start
/// workflow", <c>temporal workflow start --input @event.json</c>) with the raw envelope completes; today's
/// <see cref="LeadOnboardingInput"/> still works; anything that is no lead event ends at once, rejected and recorded.
/// </summary>
public sealed class WorkflowInputTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>, IAsyncLifetime
{
    /// <summary>A lead whose input is not a lead event must end within seconds (it used to retry for 24 h).</summary>
    private static readonly TimeSpan EndsWithin = TimeSpan.FromSeconds(10);

    public Task InitializeAsync()
    {
        flow.Backend.Faults.Clear();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RawEnvelopeAsAJsonObject_FromAPlainClient_Completes()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        using var envelope = JsonDocument.Parse(eventJson);

        var handle = await flow.StartWithArgumentsAsync(LeadFlowFixture.LeadIdOf(eventJson), envelope.RootElement.Clone());
        var result = await handle.GetResultAsync();

        Assert.Equal((await flow.Crm.FindClientAsync(TestLeads.RutOf(eventJson)))?.Id, result.ClientId);
        Assert.Equal(LeadOutcome.Completed, (await handle.QueryAsync(wf => wf.GetStatus())).Outcome);
    }

    [Fact]
    public async Task RawEnvelopeAsAJsonNode_WithOptionsAfterIt_Completes()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        flow.Backend.Faults.FailNext("/create_client", 1, 503);

        var handle = await flow.StartWithArgumentsAsync(LeadFlowFixture.LeadIdOf(eventJson), JsonNode.Parse(eventJson), LeadFlowFixture.FastRetries);
        var result = await handle.GetResultAsync();

        Assert.Equal(LeadFlowFixture.LeadIdOf(eventJson), result.LeadId);
        Assert.Equal(1, flow.Backend.Faults.InjectedCount("/create_client"));
    }

    [Fact]
    public async Task EnvelopeAsAJsonString_Completes()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());

        var result = await (await flow.StartWithArgumentsAsync(LeadFlowFixture.LeadIdOf(eventJson), eventJson)).GetResultAsync();

        Assert.Equal((await flow.Crm.FindPartnerAsync(TestLeads.RutOf(eventJson)))?.Id, result.PartnerId);
    }

    [Fact]
    public async Task LegacyLeadOnboardingInput_StillCompletes()
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());

        var result = await (await flow.StartWithArgumentsAsync(LeadFlowFixture.LeadIdOf(eventJson), new LeadOnboardingInput(eventJson, LeadFlowFixture.FastRetries))).GetResultAsync();

        Assert.Equal((await flow.Crm.FindBenefitAsync(TestLeads.RutOf(eventJson)))?.Id, result.BenefitId);
    }

    /// <summary>Inputs that are no lead event, by name (the arguments are built in <see cref="ArgumentsOf"/>), and what the recorded reason says.</summary>
    public static TheoryData<string, string> NotALeadEvent => new()
    {
        { "null", "event: must be a JSON object, got null (type)" },
        { "empty object", "detail: is required" },
        { "number", "event: must be a JSON object, got number (type)" },
        { "array", "event: must be a JSON object, got array (type)" },
        { "string that is not JSON", "event: is not valid JSON (event.json)" },
        { "envelope without detail", "detail: is required: the envelope carries no lead (required)" },
        { "no argument at all", "input: is missing" },
        { "legacy input without its event", "EventJson: must be the EventBridge envelope as a JSON string (required)" },
        { "options that are not options", "options: cannot be read as lead onboarding options" },
    };

    [Theory]
    [MemberData(nameof(NotALeadEvent))]
    public async Task AnInputThatIsNoLeadEvent_EndsRejectedWithinSeconds_WithTheReasonRecorded(string input, string reason)
    {
        var workflowId = LeadWorkflowIds.ForEvent(TestLeads.NewEventId());
        var clientsBefore = await flow.Crm.CountAsync("clients");
        var clock = Stopwatch.StartNew();

        var handle = await flow.StartWithArgumentsAsync(workflowId, ArgumentsOf(input));
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.True(clock.Elapsed < EndsWithin, $"the run took {clock.Elapsed.TotalSeconds:0.0} s to end");
        Assert.Equal(LeadErrorTypes.LeadRejected, Assert.IsType<ApplicationFailureException>(failed.InnerException).ErrorType);
        var recorded = Assert.Single(await flow.Crm.FailuresOfAsync(workflowId));
        Assert.Equal(LeadOnboardingSteps.ReceiveLead, recorded.Step);
        Assert.Contains(reason, recorded.Reason, StringComparison.Ordinal);
        Assert.Equal(clientsBefore, await flow.Crm.CountAsync("clients"));
        var status = await handle.QueryAsync(wf => wf.GetStatus());
        Assert.Equal(LeadOutcome.Rejected, status.Outcome);
        Assert.Equal(recorded.Id, status.Error?.FailureRecordId);
    }

    [Fact]
    public async Task AnUnexpectedErrorInReceiveLead_IsNotRetried_AndTheRunEndsRecorded()
    {
        // A bug in the pure first step (here: a stand-in that throws) must not be retried: one attempt, then the
        // failure is recorded as for any step, through the real error step against the real backend.
        var taskQueue = $"broken-receive-{Guid.NewGuid():N}";
        var broken = new BrokenReceiveLead();
        var recordFailure = new RecordFailureActivity(flow.Crm.Get<RecordFailureStep>());
        using var worker = new TemporalWorker(flow.Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<LeadOnboardingWorkflow>()
            .AddAllActivities(broken)
            .AddAllActivities(recordFailure));
        using var stop = new CancellationTokenSource();
        var running = worker.ExecuteAsync(stop.Token);
        try
        {
            var eventJson = TestLeads.Event(TestLeads.Detail());
            var workflowId = LeadFlowFixture.LeadIdOf(eventJson);
            var clock = Stopwatch.StartNew();
            using var envelope = JsonDocument.Parse(eventJson);
            var handle = await flow.Client.StartWorkflowAsync(
                "LeadOnboardingWorkflow",
                [envelope.RootElement.Clone(), LeadFlowFixture.FastRetries],
                new WorkflowOptions(workflowId, taskQueue) { ExecutionTimeout = TimeSpan.FromMinutes(5) });

            var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(60)));

            Assert.True(clock.Elapsed < EndsWithin, $"the run took {clock.Elapsed.TotalSeconds:0.0} s to end");
            Assert.Equal(1, broken.Calls);
            Assert.Equal(LeadErrorTypes.LeadOnboardingFailed, Assert.IsType<ApplicationFailureException>(failed.InnerException).ErrorType);
            var recorded = Assert.Single(await flow.Crm.FailuresOfAsync(workflowId));
            Assert.Equal(LeadOnboardingSteps.ReceiveLead, recorded.Step);
            Assert.Contains(BrokenReceiveLead.Message, recorded.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        }
    }

    private static object?[] ArgumentsOf(string input)
    {
        var envelope = JsonNode.Parse(TestLeads.Event(TestLeads.Detail()))!.AsObject();
        return input switch
        {
            "null" => [null],
            "empty object" => [new JsonObject()],
            "number" => [42],
            "array" => [new JsonArray(1, 2)],
            "string that is not JSON" => ["not json"],
            "envelope without detail" => [Without(envelope, "detail")],
            "no argument at all" => [],
            "legacy input without its event" => [new JsonObject { ["EventJson"] = null, ["Options"] = null }],
            "options that are not options" => [envelope, "fast please"],
            _ => throw new ArgumentOutOfRangeException(nameof(input), input, "no such case"),
        };
    }

    private static JsonObject Without(JsonObject envelope, string property)
    {
        envelope.Remove(property);
        return envelope;
    }

    /// <summary>ReceiveLead with a bug: throws something that is not a lead rejection.</summary>
    public sealed class BrokenReceiveLead
    {
        public const string Message = "a bug in ReceiveLead";
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        [Activity(LeadOnboardingSteps.ReceiveLead)]
        public Lead Receive(string eventJson)
        {
            Interlocked.Increment(ref _calls);
            throw new InvalidOperationException(Message);
        }
    }

    /// <summary>The real error step, as the production activity runs it.</summary>
    public sealed class RecordFailureActivity(RecordFailureStep step)
    {
        [Activity(LeadOnboardingSteps.RecordFailure)]
        public Task<LeadFailureOutcome> RecordAsync(LeadFailure failure) =>
            step.RunAsync(failure, ActivityExecutionContext.Current.Info.WorkflowRunId!, ActivityExecutionContext.Current.CancellationToken);
    }
}
