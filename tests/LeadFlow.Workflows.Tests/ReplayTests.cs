using LeadFlow.Workflows.Tests.Support;
using Temporalio.Common;
using Temporalio.Worker;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// Replays histories of real runs (checked in under Histories/) against today's workflow code: a change that
/// would break workflows already running in production fails here. Record new ones (never over a checked-in file): LEADFLOW_RECORD_HISTORIES=1.
/// </summary>
public sealed class ReplayTests
{
    public static TheoryData<string> Histories() => [.. RecordedHistories.All];

    [Theory]
    [MemberData(nameof(Histories))]
    public async Task RecordedHistory_ReplaysWithoutNonDeterminism(string name)
    {
        var path = RecordedHistories.PathOf(name);
        Assert.True(File.Exists(path), $"{path} is missing: run the e2e tests with {RecordedHistories.EnvironmentVariable}=1 and commit tests/LeadFlow.Workflows.Tests/Histories.");
        var history = WorkflowHistory.FromJson($"replay-{name}", await File.ReadAllTextAsync(path));
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions().AddWorkflow<LeadOnboardingWorkflow>());

        var result = await replayer.ReplayWorkflowAsync(history);

        Assert.Null(result.ReplayFailure);
    }
}
