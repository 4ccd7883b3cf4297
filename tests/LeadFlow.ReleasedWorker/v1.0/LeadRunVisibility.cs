using LeadFlow.Leads;
using LeadFlow.Steps;
using LeadFlow.Temporal;
using LeadFlow.Workflows;
using Temporalio.Common;
using Temporalio.Workflows;

namespace LeadFlow.ReleasedWorker.V1_0;

/// <summary>
/// What a person running leads sees of a run in the Temporal Web UI besides its events: the search attributes
/// (<see cref="LeadSearchAttributes"/>) the run keeps current, and the activities' summaries, so the timeline reads like
/// the process: the UI shows each activity as its type and summary, "CreatePartner • store ESTACION_CENTRAL", so a summary
/// does not repeat the step's name. Summaries carry no personal data (<see cref="LeadSummary"/>).
/// </summary>
internal static class LeadRunVisibility
{
    /// <summary>
    /// Upserting search attributes adds commands to the history, so runs recorded before they existed take the old
    /// path on replay (Workflow.Patched is false for them) and never upsert.
    /// </summary>
    public const string SearchAttributesPatch = "lead-search-attributes";

    /// <summary>A run starts: <c>LeadStep=ReceiveLead</c>, <c>LeadOutcome=Running</c>.</summary>
    public static void Started() =>
        Upsert((LeadSearchAttributes.LeadStep, LeadOnboardingSteps.ReceiveLead), (LeadSearchAttributes.LeadOutcome, nameof(LeadOutcome.Running)));

    /// <summary>A step begins.</summary>
    public static void Step(string step) => Upsert((LeadSearchAttributes.LeadStep, step));

    /// <summary>A step failed for good: the error step runs next.</summary>
    public static void Failing(string failedStep) =>
        Upsert((LeadSearchAttributes.LeadFailedStep, failedStep), (LeadSearchAttributes.LeadStep, LeadOnboardingSteps.RecordFailure));

    /// <summary>The lead ended (Completed, Rejected or Failed).</summary>
    public static void Ended(LeadOutcome outcome) => Upsert((LeadSearchAttributes.LeadOutcome, outcome.ToString()));

    /// <summary>The summary of a create step's activity: what it writes, without personal data.</summary>
    public static string Summary(string step, Lead lead) => step switch
    {
        LeadOnboardingSteps.CreateClient => $"{LeadSummary.PersonName(lead.Name, lead.Lastname)}, RUT {PersonalData.MaskRut(lead.Rut)}",
        LeadOnboardingSteps.CreatePartner => $"store {lead.Store}",
        LeadOnboardingSteps.CreateBenefit => lead.WantsBenefit ? "opted into the benefit" : "opted out of the benefit",
        _ => "",
    };

    /// <summary>The local activity that unwraps and validates the event.</summary>
    public static string ReceiveSummary => "unwrap and validate the event";

    /// <summary>The error step: which step failed and how many rows it undoes.</summary>
    public static string RecordFailureSummary(LeadFailure failure)
    {
        var undo = failure.CreatedRecords.Count(record => record.Created);
        return $"{failure.FailedStep} failed ({failure.ErrorType}): undo {undo} row(s), record the failure";
    }

    private static void Upsert(params (SearchAttributeKey<string> Key, string Value)[] values)
    {
        var current = Workflow.TypedSearchAttributes;
        var changes = values
            .Where(pair => !current.TryGetValue(pair.Key, out var value) || value != pair.Value)
            .Select(pair => pair.Key.ValueSet(pair.Value))
            .ToArray();
        if (changes.Length > 0 && Workflow.Patched(SearchAttributesPatch))
        {
            Workflow.UpsertTypedSearchAttributes(changes);
        }
    }
}
