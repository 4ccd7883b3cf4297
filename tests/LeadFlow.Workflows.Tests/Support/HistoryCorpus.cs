namespace LeadFlow.Workflows.Tests.Support;

/// <summary>
/// The checked-in workflow histories, one folder per release under <c>Histories/</c> (<c>Histories/v1.0/happy-path.json</c>).
/// A release's folder stands for runs of that release that may still be in flight (a lead can sit a day in a step and a
/// week in its error step), so its files are never rewritten: <see cref="Add"/> only creates files and refuses one that
/// exists (<see cref="HistoryAlreadyRecordedException"/>), and the recorder only ever writes the current release's folder.
/// </summary>
/// <param name="root">The <c>Histories</c> folder (the source tree's when recording, the test output's when replaying).</param>
public sealed class HistoryCorpus(string root)
{
    /// <summary>The <c>Histories</c> folder this corpus reads and writes.</summary>
    public string Root { get; } = root;

    /// <summary>The release folders (<c>v1.0</c>, <c>v1.1</c>, ...), in ordinal order; empty when there is no <see cref="Root"/>.</summary>
    public IReadOnlyList<string> Releases() =>
        Directory.Exists(Root)
            ? [.. Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The history names (file names without <c>.json</c>) of <paramref name="release"/>, in ordinal order.</summary>
    public IReadOnlyList<string> HistoriesOf(string release) =>
        [.. Directory.GetFiles(Path.Combine(Root, release), "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Where history <paramref name="name"/> of <paramref name="release"/> is (or would be).</summary>
    public string PathOf(string release, string name) => Path.Combine(Root, release, $"{name}.json");

    /// <summary>
    /// Writes a new history file. Atomic against a concurrent writer (the file is created with <see cref="FileMode.CreateNew"/>).
    /// </summary>
    /// <exception cref="HistoryAlreadyRecordedException">The file exists: a recorded history is never rewritten.</exception>
    public async Task AddAsync(string release, string name, string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(release);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var path = PathOf(release, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new HistoryAlreadyRecordedException(path);
        }

        await using (file)
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteAsync(json);
        }
    }

    /// <summary>Synchronous form of <see cref="AddAsync"/> for callers without a task.</summary>
    public void Add(string release, string name, string json) => AddAsync(release, name, json).GetAwaiter().GetResult();
}

/// <summary>A recording would have overwritten a checked-in history: record into a new release's folder instead.</summary>
public sealed class HistoryAlreadyRecordedException(string path)
    : InvalidOperationException($"{path} exists: a recorded history is never rewritten (runs of that release may still be in flight). Record into a new release's folder: raise RecordedHistories.CurrentRelease, then run the tests with {RecordedHistories.EnvironmentVariable}=1.")
{
    /// <summary>The file that was left as it was.</summary>
    public string Path { get; } = path;
}
