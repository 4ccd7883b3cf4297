namespace LeadFlow.Steps;

/// <summary>
/// Whether the optional NotifyBranch step tells the partner's store about its new member (configuration section
/// <c>NotifyBranch</c>). Read by the step, not by the workflow: the workflow always runs the step on runs started by a
/// release that has it, and the step answers "skipped" (no CRM call) while it is off, so switching it needs no new
/// workflow code and replays stay deterministic (the answer is in the history).
/// </summary>
public sealed class NotifyBranchOptions
{
    public const string Section = "NotifyBranch";

    /// <summary><c>NotifyBranch__Enabled</c>: <c>true</c> to notify the store (<c>POST /notify_branch</c>); default <c>false</c>.</summary>
    public bool Enabled { get; set; }
}
