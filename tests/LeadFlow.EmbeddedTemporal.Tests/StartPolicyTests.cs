using LeadFlow.EmbeddedTemporal.Tests.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Exceptions;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>Duplicate starts, id conflict policies and id reuse policies.</summary>
public sealed class StartPolicyTests
{
    [Fact]
    public async Task DuplicateStart_IsRejectedWithWorkflowAlreadyStarted()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var id = $"dup-{Guid.NewGuid():N}";
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options(id)));

        var duplicate = await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() =>
            harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options(id)));
        Assert.Equal(handle.ResultRunId, duplicate.RunId);

        await handle.SignalAsync(wf => wf.AddAsync("done"));
        await handle.GetResultAsync();
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task ConflictPolicyUseExisting_ReturnsTheRunningRun()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var id = $"use-existing-{Guid.NewGuid():N}";
        var handle = harness.Track(await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), harness.Options(id)));

        var options = harness.Options(id);
        options.IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting;
        var existing = await harness.Client.StartWorkflowAsync((SignalCollectorWorkflow wf) => wf.RunAsync(), options);

        Assert.Equal(handle.ResultRunId, existing.ResultRunId);
        await handle.SignalAsync(wf => wf.AddAsync("done"));
        await handle.GetResultAsync();
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task ReusePolicyAllowDuplicateFailedOnly_RefusesAfterCompletedAllowsAfterFailed()
    {
        await using var harness = await TemporalHarness.StartAsync();

        var completedId = $"reuse-completed-{Guid.NewGuid():N}";
        await harness.Track(await harness.Client.StartWorkflowAsync((OutcomeWorkflow wf) => wf.RunAsync(false), harness.Options(completedId))).GetResultAsync();
        var afterCompleted = harness.Options(completedId);
        afterCompleted.IdReusePolicy = WorkflowIdReusePolicy.AllowDuplicateFailedOnly;
        await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() =>
            harness.Client.StartWorkflowAsync((OutcomeWorkflow wf) => wf.RunAsync(false), afterCompleted));

        var failedId = $"reuse-failed-{Guid.NewGuid():N}";
        var failed = harness.Track(await harness.Client.StartWorkflowAsync((OutcomeWorkflow wf) => wf.RunAsync(true), harness.Options(failedId)));
        await Assert.ThrowsAsync<WorkflowFailedException>(() => failed.GetResultAsync());
        var afterFailed = harness.Options(failedId);
        afterFailed.IdReusePolicy = WorkflowIdReusePolicy.AllowDuplicateFailedOnly;
        var second = harness.Track(await harness.Client.StartWorkflowAsync((OutcomeWorkflow wf) => wf.RunAsync(false), afterFailed));
        Assert.NotEqual(failed.ResultRunId, second.ResultRunId);
        Assert.Equal("completed", await second.GetResultAsync());
        await harness.AssertAllReplayAsync();
    }

    [Fact]
    public async Task ReusePolicyRejectDuplicate_RefusesAnyNewRun()
    {
        await using var harness = await TemporalHarness.StartAsync();
        var id = $"reject-{Guid.NewGuid():N}";
        await harness.Track(await harness.Client.StartWorkflowAsync((OutcomeWorkflow wf) => wf.RunAsync(false), harness.Options(id))).GetResultAsync();
        var options = harness.Options(id);
        options.IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate;
        await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() => harness.Client.StartWorkflowAsync((OutcomeWorkflow wf) => wf.RunAsync(false), options));
    }
}
