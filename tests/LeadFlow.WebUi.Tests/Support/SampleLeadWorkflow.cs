using Temporalio.Activities;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace LeadFlow.WebUi.Tests.Support;

/// <summary>What a sample lead should do: complete, be rejected at once, fail at its last step, or wait for a signal.</summary>
public enum SampleOutcome
{
    Completed,
    Rejected,
    FailedAtBenefit,
    Waiting,
}

/// <summary>The input a person sees in the UI's input panel.</summary>
public sealed record SampleLead(string Name, string Store, SampleOutcome Outcome);

/// <summary>
/// A lead onboarding in miniature, for the UI: keeps the LeadStep and LeadOutcome search attributes current,
/// runs activities with summaries, and ends Completed, Failed (rejected, or a failed CreateBenefit) or running.
/// </summary>
[Workflow]
public sealed class SampleLeadWorkflow
{
    public static readonly SearchAttributeKey<string> LeadStep = SearchAttributeKey.CreateKeyword("LeadStep");
    public static readonly SearchAttributeKey<string> LeadOutcome = SearchAttributeKey.CreateKeyword("LeadOutcome");

    public const string RejectionMessage = "rut: check digit does not match";
    public const string BenefitFailureMessage = "CRM refused the benefit (422): store closed";

    private bool _released;

    [WorkflowRun]
    public async Task<string> RunAsync(SampleLead lead)
    {
        Workflow.UpsertTypedSearchAttributes(LeadStep.ValueSet("ReceiveLead"));
        if (lead.Outcome == SampleOutcome.Rejected)
        {
            Workflow.UpsertTypedSearchAttributes(LeadOutcome.ValueSet("Rejected"));
            throw new ApplicationFailureException(RejectionMessage, "LeadRejected", nonRetryable: true);
        }

        await Workflow.ExecuteActivityAsync((SampleLeadActivities a) => a.CreateClient(lead.Name), Step($"CreateClient: {lead.Name}"));
        if (lead.Outcome == SampleOutcome.Waiting)
        {
            Workflow.UpsertTypedSearchAttributes(LeadStep.ValueSet("WaitingForRelease"));
            await Workflow.WaitConditionAsync(() => _released);
        }

        Workflow.UpsertTypedSearchAttributes(LeadStep.ValueSet("CreateBenefit"));
        try
        {
            await Workflow.ExecuteActivityAsync(
                (SampleLeadActivities a) => a.CreateBenefit(lead.Store, lead.Outcome == SampleOutcome.FailedAtBenefit),
                Step($"CreateBenefit: store {lead.Store}"));
        }
        catch (ActivityFailureException failure)
        {
            Workflow.UpsertTypedSearchAttributes(LeadOutcome.ValueSet("Failed"));
            throw new ApplicationFailureException($"lead onboarding failed at CreateBenefit: {failure.InnerException?.Message}", "LeadOnboardingFailed", nonRetryable: true);
        }

        Workflow.UpsertTypedSearchAttributes(LeadOutcome.ValueSet("Completed"));
        return $"{lead.Name} onboarded";
    }

    private static ActivityOptions Step(string summary) =>
        new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = new RetryPolicy { MaximumAttempts = 1 }, Summary = summary };

    [WorkflowSignal]
    public Task ReleaseAsync()
    {
        _released = true;
        return Task.CompletedTask;
    }

    [WorkflowQuery]
    public string CurrentStep => Workflow.TypedSearchAttributes.Get(LeadStep);
}

/// <summary>The two steps the sample lead runs.</summary>
public sealed class SampleLeadActivities
{
    [Activity]
    public string CreateClient(string name) => $"client-{name.ToLowerInvariant()}";

    [Activity]
    public string CreateBenefit(string store, bool refuse) =>
        refuse
            ? throw new ApplicationFailureException(SampleLeadWorkflow.BenefitFailureMessage, "CrmRejected", nonRetryable: true)
            : $"benefit-{store.ToLowerInvariant()}";
}
