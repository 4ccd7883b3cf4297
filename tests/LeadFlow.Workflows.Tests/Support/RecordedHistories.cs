using System.Runtime.CompilerServices;
using Temporalio.Client;

namespace LeadFlow.Workflows.Tests.Support;

/// <summary>
/// The workflow histories <c>ReplayTests</c> replays: every release's folder under <c>Histories/</c> (<see cref="HistoryCorpus"/>).
/// The tests write them from real runs when <c>LEADFLOW_RECORD_HISTORIES=1</c>, always into <see cref="CurrentRelease"/>'s
/// folder and never over a file that exists (the recording fails instead); commit the new folder so a change that breaks
/// running workflows fails CI. See the README's "Changing the workflow safely".
/// </summary>
public static class RecordedHistories
{
    public const string EnvironmentVariable = "LEADFLOW_RECORD_HISTORIES";

    /// <summary>
    /// The release a recording adds histories to (<c>Histories/&lt;CurrentRelease&gt;/</c>). Raise it with every release
    /// that changes the workflow (a new <see cref="Temporalio.Workflows.Workflow.Patched"/>), before recording.
    /// </summary>
    public const string CurrentRelease = "v1.1";

    public const string HappyPath = "happy-path";
    public const string RejectedLead = "rejected-lead";
    public const string CompensatedFailure = "compensated-failure";

    /// <summary>A run cancelled while CreatePartner committed: undone by key, ended Canceled behind the patch marker.</summary>
    public const string CancelledLead = "cancelled-lead";

    /// <summary>A lead completed, started with the bus event itself as the input (the earlier ones had <c>LeadOnboardingInput</c>).</summary>
    public const string HappyPathEventInput = "happy-path-event-input";

    /// <summary>An invalid lead rejected, started with the bus event itself.</summary>
    public const string RejectedLeadEventInput = "rejected-lead-event-input";

    /// <summary>A benefit refused for good, each step's undo by key, started with the bus event itself.</summary>
    public const string CompensatedFailureEventInput = "compensated-failure-event-input";

    /// <summary>A run cancelled while CreatePartner committed, started with the bus event itself: ended Canceled.</summary>
    public const string CancelledLeadEventInput = "cancelled-lead-event-input";

    /// <summary>A compensated failure recorded with the lead search attributes and activity summaries (patch <c>lead-search-attributes</c>).</summary>
    public const string CompensatedFailureWithSearchAttributes = "compensated-failure-search-attributes";

    /// <summary>A lead completed with the NotifyBranch step switched on (patch <c>notify-branch</c>).</summary>
    public const string HappyPathNotifyBranch = "happy-path-notify-branch";

    /// <summary>
    /// An open run, taken while CreatePartner was being retried (the backend answering 503): started by the previous
    /// release's worker, the history a new release's worker takes over at deployment.
    /// </summary>
    public const string MidRetry = "mid-retry";

    /// <summary>An open run, taken while its error step (RecordFailure) was being retried: started by the previous release's worker.</summary>
    public const string MidCompensation = "mid-compensation";

    /// <summary>The file name (without <c>.json</c>) of the encrypted copy of history <paramref name="name"/>.</summary>
    public static string Encrypted(string name) => $"{name}-encrypted";

    public static bool Recording => Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    /// <summary>The corpus the replay test reads: copied next to the test assembly.</summary>
    public static HistoryCorpus Replayed { get; } = new(Path.Combine(AppContext.BaseDirectory, "Histories"));

    /// <summary>The corpus in the source tree, the one recordings add to and git keeps.</summary>
    public static HistoryCorpus Source { get; } = new(SourceDirectory());

    /// <summary>
    /// When recording: adds the run's history (so far: an open run gives a partial history, as a new worker finds it) to
    /// <see cref="CurrentRelease"/> as <paramref name="name"/>, or <see cref="Encrypted"/> of it when its payloads are.
    /// </summary>
    /// <exception cref="HistoryAlreadyRecordedException">That release already has the file: it is never rewritten.</exception>
    public static async Task RecordIfAskedAsync(WorkflowHandle handle, string name)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!Recording)
        {
            return;
        }

        var history = await handle.FetchHistoryAsync();
        if (LeadFlow.TestSupport.HistoryPayloads.All(history.Events).Any(LeadFlow.Temporal.Encryption.AesGcmPayloadCodec.IsEncrypted))
        {
            name = Encrypted(name);
        }

        var json = history.ToJson();
        await Source.AddAsync(CurrentRelease, name, json);
        // The output copy only saves a rebuild before replaying it; the source file above is the one that counts.
        Directory.CreateDirectory(Path.Combine(Replayed.Root, CurrentRelease));
        await File.WriteAllTextAsync(Replayed.PathOf(CurrentRelease, name), json);
    }

    private static string SourceDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(thisFile)!)!, "Histories");
}
