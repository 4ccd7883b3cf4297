using LeadFlow.Steps;
using LeadFlow.TestSupport;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// A deployment with leads in flight, on the embedded server: release v1.0's worker (its own process, v1.0's workflow
/// code without NotifyBranch) starts leads and holds them, one mid-retry (the backend failing CreatePartner) and one
/// mid-compensation (its error step failing to record the failure); the old process is stopped, the current Worker is
/// started as a new process, the faults are released, and every held lead finishes on the new worker by the old path
/// (no <c>notify-branch</c> marker, no NotifyBranch row), while a new lead takes the new path. NotifyBranch is switched on
/// in both processes, so the path taken is the code's (the patch), not the configuration's.
/// </summary>
public sealed class VersionUpgradeTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public async Task InitializeAsync()
    {
        // Only the worker processes poll this class's task queue.
        await flow.StopWorkerAsync();
        flow.Backend.Faults.Clear();
    }

    public Task DisposeAsync()
    {
        flow.Backend.Faults.Clear();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task LeadsHeldMidRetryAndMidCompensationOnTheOldRelease_FinishOnTheNewWorkerByTheOldPath_AndNewLeadsNotifyTheBranch()
    {
        var retrying = TestLeads.Event(TestLeads.Detail());
        var compensating = TestLeads.Event(TestLeads.Detail());
        var (retryingLead, compensatingLead) = (LeadFlowFixture.LeadIdOf(retrying), LeadFlowFixture.LeadIdOf(compensating));
        var partnerDown = flow.Backend.Faults.ForLead("/create_partner", retryingLead).Fail(503);
        flow.Backend.Faults.ForLead("/create_benefit", compensatingLead).Fail(422);
        var failureRecordDown = flow.Backend.Faults.ForLead("/lead_failures", compensatingLead).Fail(503);

        // Release v1.0 starts both leads and holds them.
        WorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult> retryingRun, compensatingRun;
        int oldPid;
        await using (var old = await WorkerProcess.StartAsync(WorkerProcess.ReleaseV1_0, Settings(), Patience))
        {
            oldPid = old.Id;
            retryingRun = await flow.StartLeadAsync(retrying);
            compensatingRun = await flow.StartLeadAsync(compensating);
            await Eventually(() => partnerDown.Seen >= 2 && failureRecordDown.Seen >= 2, () => old.Output);
            Assert.Equal(LeadOnboardingSteps.CreatePartner, (await retryingRun.QueryAsync(w => w.GetStatus())).CurrentStep);
            Assert.Equal(LeadOnboardingSteps.RecordFailure, (await compensatingRun.QueryAsync(w => w.GetStatus())).CurrentStep);

            // The open histories a v1.1 worker takes over at deployment (recorded into the current release's folder).
            await RecordedHistories.RecordIfAskedAsync(retryingRun, RecordedHistories.MidRetry);
            await RecordedHistories.RecordIfAskedAsync(compensatingRun, RecordedHistories.MidCompensation);
            await old.StopAsync(TimeSpan.FromSeconds(30));
        }

        // Deploy: the current Worker, a new process. It takes the held leads' retries over, then the faults go away.
        await using var current = await WorkerProcess.StartAsync(WorkerProcess.CurrentRelease, Settings(), Patience);
        var (partnerTriesAtDeploy, recordTriesAtDeploy) = (partnerDown.Seen, failureRecordDown.Seen);
        await Eventually(() => partnerDown.Seen > partnerTriesAtDeploy && failureRecordDown.Seen > recordTriesAtDeploy, () => current.Output);
        flow.Backend.Faults.ClearLead(retryingLead);
        flow.Backend.Faults.ClearLead(compensatingLead);

        var completed = await retryingRun.GetResultAsync().WaitAsync(Patience);
        await Assert.ThrowsAsync<WorkflowFailedException>(() => compensatingRun.GetResultAsync().WaitAsync(Patience));

        // Old path: no NotifyBranch step, no notification, no patch marker; finished by the new process.
        Assert.Equal([LeadOnboardingSteps.CreateClient, LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateBenefit], completed.Records.Select(r => r.Step));
        Assert.Equal(0, await flow.Crm.RowsAsync("branch_notifications", TestLeads.RutOf(retrying)));
        foreach (var run in new[] { retryingRun, compensatingRun })
        {
            var history = (await run.FetchHistoryAsync()).Events;
            Assert.DoesNotContain(LeadOnboardingWorkflow.NotifyBranchPatch, PatchesOf(history));
            Assert.DoesNotContain(history, e => e.ActivityTaskScheduledEventAttributes?.ActivityType?.Name == LeadOnboardingSteps.NotifyBranch);
            Assert.StartsWith($"{oldPid}@", WorkflowTaskIdentities(history).First(), StringComparison.Ordinal);
            Assert.StartsWith($"{current.Id}@", WorkflowTaskIdentities(history).Last(), StringComparison.Ordinal);
        }

        var compensated = await compensatingRun.QueryAsync(w => w.GetStatus());
        Assert.Equal(LeadOutcome.Failed, compensated.Outcome);
        Assert.Equal(LeadOnboardingSteps.CreateBenefit, compensated.Error?.FailedStep);
        Assert.Equal([LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateClient], compensated.Undone.Select(r => r.Step));
        Assert.Null(await flow.Crm.FindClientAsync(TestLeads.RutOf(compensating)));
        Assert.Single(await flow.Crm.FailuresOfAsync(compensatingLead));

        // New path: a lead started after the deployment notifies the store, behind the notify-branch marker.
        var fresh = TestLeads.Event(TestLeads.Detail());
        var freshRun = await flow.StartLeadAsync(fresh);
        var freshResult = await freshRun.GetResultAsync().WaitAsync(Patience);

        var notification = Assert.Single(freshResult.Records, r => r.Step == LeadOnboardingSteps.NotifyBranch);
        Assert.True(notification.Created);
        Assert.Equal(1, await flow.Crm.RowsAsync("branch_notifications", TestLeads.RutOf(fresh)));
        var freshHistory = (await freshRun.FetchHistoryAsync()).Events;
        Assert.Contains(LeadOnboardingWorkflow.NotifyBranchPatch, PatchesOf(freshHistory));
        Assert.All(WorkflowTaskIdentities(freshHistory), identity => Assert.StartsWith($"{current.Id}@", identity, StringComparison.Ordinal));
        await RecordedHistories.RecordIfAskedAsync(freshRun, RecordedHistories.HappyPathNotifyBranch);
    }

    /// <summary>The settings both worker processes get: this fixture's server, queue and backend, the fixture key, NotifyBranch on.</summary>
    private IEnumerable<KeyValuePair<string, string?>> Settings() =>
        new Dictionary<string, string?>
        {
            ["Temporal:Address"] = flow.Temporal.Address,
            ["Temporal:Namespace"] = flow.Temporal.Namespace,
            ["Temporal:TaskQueue"] = flow.TaskQueue,
            ["Crm:BaseUrl"] = flow.Backend.BaseAddress.ToString(),
            ["Crm:ApiKey"] = flow.Backend.ApiKey,
            ["Crm:Timeout"] = "00:00:05",
            ["Worker:GracefulShutdownTimeout"] = "00:00:02",
            ["NotifyBranch:Enabled"] = "true",
        }.Concat(TestEncryptionKeys.Settings());

    /// <summary>The patch ids of the run's <c>core_patch</c> markers (their details are plain JSON <c>{"id": ...}</c>).</summary>
    private static IReadOnlyList<string> PatchesOf(IEnumerable<HistoryEvent> history) =>
        [.. history
            .Where(e => e.EventType == EventType.MarkerRecorded && e.MarkerRecordedEventAttributes.MarkerName == "core_patch")
            .Select(e => System.Text.Json.JsonDocument.Parse(e.MarkerRecordedEventAttributes.Details["patch-data"].Payloads_[0].Data.ToStringUtf8()).RootElement.GetProperty("id").GetString()!)];

    /// <summary>Who completed each workflow task, in order: the SDK's identity, <c>&lt;pid&gt;@&lt;host&gt;</c>.</summary>
    private static IReadOnlyList<string> WorkflowTaskIdentities(IEnumerable<HistoryEvent> history) =>
        [.. history.Where(e => e.EventType == EventType.WorkflowTaskCompleted).Select(e => e.WorkflowTaskCompletedEventAttributes.Identity)];

    private static async Task Eventually(Func<bool> condition, Func<string> output)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the held leads did not reach their faults in time; worker output:\n{output()}");
            await Task.Delay(100);
        }
    }
}
