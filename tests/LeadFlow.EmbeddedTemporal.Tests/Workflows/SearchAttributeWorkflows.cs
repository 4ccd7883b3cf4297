using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace LeadFlow.EmbeddedTemporal.Tests.Workflows;

/// <summary>Sets LeadOutcome and LeadStep, then completes, fails, or waits for a signal.</summary>
[Workflow]
public sealed class TaggedLeadWorkflow
{
    public static readonly SearchAttributeKey<string> Outcome = SearchAttributeKey.CreateKeyword("LeadOutcome");
    public static readonly SearchAttributeKey<string> Step = SearchAttributeKey.CreateKeyword("LeadStep");

    private bool _released;

    [WorkflowRun]
    public async Task RunAsync(string outcome, string step, string ending)
    {
        Workflow.UpsertTypedSearchAttributes(Outcome.ValueSet(outcome), Step.ValueSet(step));
        switch (ending)
        {
            case "fail":
                throw new ApplicationFailureException($"lead {outcome} at {step}", "LeadOnboardingFailed", nonRetryable: true);
            case "wait":
                await Workflow.WaitConditionAsync(() => _released);
                break;
        }
    }

    [WorkflowSignal]
    public Task ReleaseAsync()
    {
        _released = true;
        return Task.CompletedTask;
    }
}

/// <summary>Upserts an attribute the namespace never declared: the server fails the workflow task.</summary>
[Workflow]
public sealed class UndeclaredAttributeWorkflow
{
    [WorkflowRun]
    public Task RunAsync()
    {
        Workflow.UpsertTypedSearchAttributes(SearchAttributeKey.CreateKeyword("NeverDeclared").ValueSet("x"));
        return Task.CompletedTask;
    }
}
