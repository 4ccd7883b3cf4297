using System.Runtime.CompilerServices;
using Temporalio.Client;

namespace LeadFlow.Workflows.Tests.Support;

/// <summary>
/// The workflow histories <c>ReplayTests</c> replays. The e2e tests write them from real runs when
/// <c>LEADFLOW_RECORD_HISTORIES=1</c>; commit the files so a change that breaks running workflows fails CI.
/// A checked-in history is never re-recorded (it stands for runs already in production): a file that exists is left
/// as it is, so a change to what a run records gets a new name, and the old files stay to replay.
/// </summary>
public static class RecordedHistories
{
    public const string EnvironmentVariable = "LEADFLOW_RECORD_HISTORIES";

    public const string HappyPath = "happy-path";
    public const string RejectedLead = "rejected-lead";
    public const string CompensatedFailure = "compensated-failure";

    /// <summary>A run cancelled while CreatePartner committed: undone by key, ended Canceled behind the patch marker.</summary>
    public const string CancelledLead = "cancelled-lead";

    /// <summary>
    /// A run cancelled the same way by the workflow before cancelled runs ended Canceled (recorded from that version):
    /// it ended Failed, and must still replay so (<see cref="LeadOnboardingWorkflow.CancelledRunsEndCanceledPatch"/>).
    /// </summary>
    public const string CancelledBeforePatch = "cancelled-before-patch";

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

    public static readonly IReadOnlyList<string> All =
    [
        HappyPath, RejectedLead, CompensatedFailure, CancelledLead, CancelledBeforePatch,
        HappyPathEventInput, RejectedLeadEventInput, CompensatedFailureEventInput, CancelledLeadEventInput,
        CompensatedFailureWithSearchAttributes,
    ];

    /// <summary>
    /// The copies recorded through the payload codec with the test fixture key (<c>TestEncryptionKeys</c>): every payload
    /// encrypted, as in production. Recording writes a history under <see cref="Encrypted"/> of its name when its
    /// payloads are encrypted, so the plaintext originals are never touched.
    /// </summary>
    public static readonly IReadOnlyList<string> EncryptedAll =
    [
        Encrypted(HappyPathEventInput), Encrypted(RejectedLeadEventInput), Encrypted(CompensatedFailureEventInput), Encrypted(CancelledLeadEventInput),
    ];

    /// <summary>The file name (without <c>.json</c>) of the encrypted copy of history <paramref name="name"/>.</summary>
    public static string Encrypted(string name) => $"{name}-encrypted";

    public static bool Recording => Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    /// <summary>Where the replay test reads them: copied next to the test assembly.</summary>
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Histories", $"{name}.json");

    public static async Task RecordIfAskedAsync(WorkflowHandle handle, string name)
    {
        if (!Recording)
        {
            return;
        }

        var history = await handle.FetchHistoryAsync();
        if (LeadFlow.TestSupport.HistoryPayloads.All(history.Events).Any(LeadFlow.Temporal.Encryption.AesGcmPayloadCodec.IsEncrypted))
        {
            name = Encrypted(name);
        }

        var source = Path.Combine(SourceDirectory(), $"{name}.json");
        if (File.Exists(source))
        {
            return;
        }

        var json = history.ToJson();
        Directory.CreateDirectory(SourceDirectory());
        await File.WriteAllTextAsync(source, json);
        Directory.CreateDirectory(Path.GetDirectoryName(PathOf(name))!);
        await File.WriteAllTextAsync(PathOf(name), json);
    }

    private static string SourceDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(thisFile)!)!, "Histories");
}
