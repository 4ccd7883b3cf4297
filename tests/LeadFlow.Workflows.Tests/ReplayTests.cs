using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Common;
using Temporalio.Worker;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// Replays histories of real runs (checked in under Histories/) against today's workflow code: a change that
/// would break workflows already running in production fails here. Every history replays through the product's data
/// converter with the test fixture key (<see cref="TestEncryptionKeys"/>): the plaintext ones, recorded before payloads
/// were encrypted, pass through the codec unchanged (as such histories do in production); the <c>-encrypted</c> copies,
/// recorded through the codec, decrypt. Record new ones (never over a checked-in file): LEADFLOW_RECORD_HISTORIES=1.
/// </summary>
public sealed class ReplayTests
{
    public static TheoryData<string> Histories() => [.. RecordedHistories.All, .. RecordedHistories.EncryptedAll];

    public static TheoryData<string> EncryptedHistories() => [.. RecordedHistories.EncryptedAll];

    public static TheoryData<string> PlaintextHistories() => [.. RecordedHistories.All];

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
    [MemberData(nameof(EncryptedHistories))]
    public async Task EncryptedCopy_EveryPayloadIsEncryptedWithTheFixtureKey(string name)
    {
        var history = await ReadAsync(name);

        var payloads = HistoryPayloads.All(history.Events).ToList();

        Assert.NotEmpty(payloads);
        Assert.All(payloads, p => Assert.Equal(TestEncryptionKeys.FixtureKeyId, AesGcmPayloadCodec.KeyIdOf(p)));
    }

    [Theory]
    [MemberData(nameof(PlaintextHistories))]
    public async Task PlaintextHistory_FromBeforeEncryption_HoldsNoEncryptedPayload(string name)
    {
        var history = await ReadAsync(name);

        var payloads = HistoryPayloads.All(history.Events).ToList();

        Assert.NotEmpty(payloads);
        Assert.DoesNotContain(payloads, AesGcmPayloadCodec.IsEncrypted);
    }

    [Fact]
    public async Task EncryptedCopy_WithoutTheKey_FailsNamingTheKeyId()
    {
        var history = await ReadAsync(RecordedHistories.Encrypted(RecordedHistories.HappyPathEventInput));
        var otherKey = EncryptionKeyRing.Of("another-key", new Dictionary<string, byte[]> { ["another-key"] = EncryptionKeyRing.NewKey() });
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions { DataConverter = LeadFlowDataConverter.Create(otherKey) }.AddWorkflow<LeadOnboardingWorkflow>());

        var result = await replayer.ReplayWorkflowAsync(history, throwOnReplayFailure: false);

        Assert.NotNull(result.ReplayFailure);
        var failure = result.ReplayFailure!.ToString();
        // The replayer quotes the failure as the SDK core prints it (quotes escaped).
        Assert.True(failure.Contains($"Payload encrypted with key \\\"{TestEncryptionKeys.FixtureKeyId}\\\"", StringComparison.Ordinal), failure);
        Assert.True(failure.Contains($"LeadFlow__Encryption__Keys__{TestEncryptionKeys.FixtureKeyId}", StringComparison.Ordinal), failure);
    }

    private static async Task<WorkflowHistory> ReadAsync(string name)
    {
        var path = RecordedHistories.PathOf(name);
        Assert.True(File.Exists(path), $"{path} is missing: run the e2e tests with {RecordedHistories.EnvironmentVariable}=1 and commit tests/LeadFlow.Workflows.Tests/Histories.");
        return WorkflowHistory.FromJson($"replay-{name}", await File.ReadAllTextAsync(path));
    }
}
