using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Common;
using Temporalio.Worker;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// Replays every release's histories (checked in under <c>Histories/&lt;release&gt;/</c>) against today's workflow code:
/// a change that would break workflows already running in production fails here. Every history replays through the
/// product's data converter with the test fixture key (<see cref="TestEncryptionKeys"/>): the plaintext ones, recorded
/// before payloads were encrypted, pass through the codec unchanged (as such histories do in production); the
/// <c>-encrypted</c> ones, recorded through the codec, decrypt. Record a new release (never over a checked-in file):
/// raise <see cref="RecordedHistories.CurrentRelease"/>, then LEADFLOW_RECORD_HISTORIES=1.
/// </summary>
public sealed class ReplayTests
{
    /// <summary>Every history of every release folder, as <c>release/name</c>.</summary>
    public static TheoryData<string> Histories() => [.. AllHistories()];

    public static TheoryData<string> EncryptedHistories() => [.. AllHistories().Where(h => h.EndsWith("-encrypted", StringComparison.Ordinal))];

    public static TheoryData<string> PlaintextHistories() => [.. AllHistories().Where(h => !h.EndsWith("-encrypted", StringComparison.Ordinal))];

    [Fact]
    public void EveryReleaseFolder_HoldsHistories_AndIsCopiedForReplay()
    {
        var source = RecordedHistories.Source.Releases();

        Assert.Contains("v1.0", source);
        Assert.Contains(RecordedHistories.CurrentRelease, source);
        Assert.All(source, release => Assert.True(
            RecordedHistories.Source.HistoriesOf(release).Count > 0,
            $"Histories/{release} is empty: a release folder holds the histories of that release's runs (record them with {RecordedHistories.EnvironmentVariable}=1) or is removed."));
        Assert.Equal(source, RecordedHistories.Replayed.Releases());
        Assert.All(source, release => Assert.Equal(RecordedHistories.Source.HistoriesOf(release), RecordedHistories.Replayed.HistoriesOf(release)));
    }

    [Fact]
    public void EveryRelease_CoversTheOutcomesAndTheInFlightStates()
    {
        // The current release's folder covers every way a run ends or waits; older releases keep what they had.
        var current = RecordedHistories.Source.HistoriesOf(RecordedHistories.CurrentRelease).Select(name => name.Replace("-encrypted", "", StringComparison.Ordinal)).ToHashSet();

        Assert.Superset(
            new HashSet<string>
            {
                RecordedHistories.HappyPathEventInput, RecordedHistories.HappyPathNotifyBranch, RecordedHistories.RejectedLeadEventInput,
                RecordedHistories.CompensatedFailureEventInput, RecordedHistories.CancelledLeadEventInput,
                RecordedHistories.MidRetry, RecordedHistories.MidCompensation,
            },
            current);
    }

    [Theory]
    [MemberData(nameof(Histories))]
    public async Task RecordedHistory_ReplaysWithoutNonDeterminism(string history)
    {
        var recorded = await ReadAsync(history);
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions
        {
            DataConverter = LeadFlowDataConverter.Create(TestEncryptionKeys.Ring()),
        }.AddWorkflow<LeadOnboardingWorkflow>());

        var result = await replayer.ReplayWorkflowAsync(recorded);

        Assert.Null(result.ReplayFailure);
    }

    [Theory]
    [MemberData(nameof(EncryptedHistories))]
    public async Task EncryptedCopy_EveryPayloadIsEncryptedWithTheFixtureKey(string history)
    {
        var recorded = await ReadAsync(history);

        var payloads = HistoryPayloads.All(recorded.Events).ToList();

        Assert.NotEmpty(payloads);
        Assert.All(payloads, p => Assert.Equal(TestEncryptionKeys.FixtureKeyId, AesGcmPayloadCodec.KeyIdOf(p)));
    }

    [Theory]
    [MemberData(nameof(PlaintextHistories))]
    public async Task PlaintextHistory_FromBeforeEncryption_HoldsNoEncryptedPayload(string history)
    {
        var recorded = await ReadAsync(history);

        var payloads = HistoryPayloads.All(recorded.Events).ToList();

        Assert.NotEmpty(payloads);
        Assert.DoesNotContain(payloads, AesGcmPayloadCodec.IsEncrypted);
    }

    [Fact]
    public async Task EncryptedCopy_WithoutTheKey_FailsNamingTheKeyId()
    {
        var history = await ReadAsync($"v1.0/{RecordedHistories.Encrypted(RecordedHistories.HappyPathEventInput)}");
        var otherKey = EncryptionKeyRing.Of("another-key", new Dictionary<string, byte[]> { ["another-key"] = EncryptionKeyRing.NewKey() });
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions { DataConverter = LeadFlowDataConverter.Create(otherKey) }.AddWorkflow<LeadOnboardingWorkflow>());

        var result = await replayer.ReplayWorkflowAsync(history, throwOnReplayFailure: false);

        Assert.NotNull(result.ReplayFailure);
        var failure = result.ReplayFailure!.ToString();
        // The replayer quotes the failure as the SDK core prints it (quotes escaped).
        Assert.True(failure.Contains($"Payload encrypted with key \\\"{TestEncryptionKeys.FixtureKeyId}\\\"", StringComparison.Ordinal), failure);
        Assert.True(failure.Contains($"LeadFlow__Encryption__Keys__{TestEncryptionKeys.FixtureKeyId}", StringComparison.Ordinal), failure);
    }

    private static IEnumerable<string> AllHistories() =>
        RecordedHistories.Replayed.Releases().SelectMany(release => RecordedHistories.Replayed.HistoriesOf(release).Select(name => $"{release}/{name}"));

    private static async Task<WorkflowHistory> ReadAsync(string history)
    {
        var (release, name) = (history[..history.IndexOf('/', StringComparison.Ordinal)], history[(history.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        var path = RecordedHistories.Replayed.PathOf(release, name);
        Assert.True(File.Exists(path), $"{path} is missing: rebuild (the csproj copies tests/LeadFlow.Workflows.Tests/Histories/**).");
        return WorkflowHistory.FromJson($"replay-{release}-{name}", await File.ReadAllTextAsync(path));
    }
}
