using LeadFlow.Workflows.Tests.Support;

namespace LeadFlow.Workflows.Tests;

/// <summary>Recording adds histories and never rewrites one: a checked-in history stands for runs that may still be in flight.</summary>
public sealed class HistoryCorpusTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"leadflow-histories-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Recording_OverAnExistingHistory_IsRefused_AndTheFileIsLeftAsItWas()
    {
        var corpus = new HistoryCorpus(root);
        await corpus.AddAsync("v1.0", "happy-path", "{\"events\":[1]}");

        var refused = await Assert.ThrowsAsync<HistoryAlreadyRecordedException>(() => corpus.AddAsync("v1.0", "happy-path", "{\"events\":[2]}"));

        Assert.Equal(corpus.PathOf("v1.0", "happy-path"), refused.Path);
        Assert.Contains(nameof(RecordedHistories.CurrentRelease), refused.Message, StringComparison.Ordinal);
        Assert.Equal("{\"events\":[1]}", await File.ReadAllTextAsync(corpus.PathOf("v1.0", "happy-path")));
    }

    [Fact]
    public async Task Recording_ANewRelease_AddsItsFolder_AndLeavesTheOlderOnes()
    {
        var corpus = new HistoryCorpus(root);
        await corpus.AddAsync("v1.0", "happy-path", "old");

        await corpus.AddAsync("v1.1", "happy-path", "new");

        Assert.Equal(["v1.0", "v1.1"], corpus.Releases());
        Assert.Equal("old", await File.ReadAllTextAsync(corpus.PathOf("v1.0", "happy-path")));
        Assert.Equal("new", await File.ReadAllTextAsync(corpus.PathOf("v1.1", "happy-path")));
    }

    [Fact]
    public async Task TwoRecordingsOfOneHistoryAtOnce_OneWins_TheOtherIsRefused()
    {
        var corpus = new HistoryCorpus(root);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await corpus.AddAsync("v1.1", "mid-retry", $"writer {i}");
                return true;
            }
            catch (HistoryAlreadyRecordedException)
            {
                return false;
            }
        }));

        Assert.Single(results, won => won);
    }

    [Fact]
    public void CheckedInCorpus_CurrentReleaseIsNewerThanEveryOther()
    {
        // Recording writes only the current release: it must be the newest folder, or it would add to a past release.
        Assert.Equal(RecordedHistories.CurrentRelease, RecordedHistories.Source.Releases().OrderBy(r => Version.Parse(r.TrimStart('v'))).Last());
    }
}
