using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Common;
using Temporalio.Worker;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// Replays histories of real runs (checked in under Histories/) against today's workflow code: a change that
/// would break workflows already running in production fails here. The histories are encrypted, as every history of the
/// product is, with the test fixture key (<see cref="TestEncryptionKeys"/>), and replay through the product's data
/// converter with that key. Re-record: LEADFLOW_RECORD_HISTORIES=1.
/// </summary>
public sealed class ReplayTests
{
    public static TheoryData<string> Histories() => [.. RecordedHistories.All];

    [Theory]
    [MemberData(nameof(Histories))]
    public async Task RecordedHistory_ReplaysWithoutNonDeterminism(string name)
    {
        var history = await ReadAsync(name);
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions
        {
            DataConverter = LeadFlowDataConverter.Create(TestEncryptionKeys.Ring()),
        }.AddWorkflow<LeadOnboardingWorkflow>());

        var result = await replayer.ReplayWorkflowAsync(history);

        Assert.Null(result.ReplayFailure);
    }

    [Theory]
    [MemberData(nameof(Histories))]
    public async Task RecordedHistory_IsEncryptedWithTheFixtureKey(string name)
    {
        var history = await ReadAsync(name);

        var payloads = HistoryPayloads.All(history.Events).ToList();

        Assert.NotEmpty(payloads);
        Assert.All(payloads, p => Assert.Equal(TestEncryptionKeys.FixtureKeyId, AesGcmPayloadCodec.KeyIdOf(p)));
    }

    [Fact]
    public async Task RecordedHistory_WithoutTheKey_FailsNamingTheKeyId()
    {
        var history = await ReadAsync(RecordedHistories.HappyPath);
        var otherKey = EncryptionKeyRing.Of("another-key", new Dictionary<string, byte[]> { ["another-key"] = EncryptionKeyRing.NewKey() });
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions { DataConverter = LeadFlowDataConverter.Create(otherKey) }.AddWorkflow<LeadOnboardingWorkflow>());

        var result = await replayer.ReplayWorkflowAsync(history, throwOnReplayFailure: false);

        Assert.NotNull(result.ReplayFailure);
        Assert.Contains($"key \"{TestEncryptionKeys.FixtureKeyId}\"", result.ReplayFailure!.ToString(), StringComparison.Ordinal);
    }

    private static async Task<WorkflowHistory> ReadAsync(string name)
    {
        var path = RecordedHistories.PathOf(name);
        Assert.True(File.Exists(path), $"{path} is missing: run the e2e tests with {RecordedHistories.EnvironmentVariable}=1 and commit tests/LeadFlow.Workflows.Tests/Histories.");
        return WorkflowHistory.FromJson($"replay-{name}", await File.ReadAllTextAsync(path));
    }
}
