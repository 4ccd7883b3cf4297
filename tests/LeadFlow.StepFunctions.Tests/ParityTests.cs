using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.StepFunctions.Tests.Support;
using LeadFlow.Steps;
using LeadFlow.Workflows;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>
/// The state machine and the Temporal workflow side by side, both against the one list of steps
/// (<see cref="LeadOnboardingSteps"/>): the same steps in the same order, the same timeouts, the
/// same errors retried, the same backoff over the same window.
/// </summary>
public sealed class ParityTests
{
    private static readonly string[] LambdaServiceErrors =
        ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"];

    private readonly JsonObject definition = AslDocument.Load();

    [Fact]
    public void HappyPath_RunsTheStepsInTheWorkflowsOrder_ThenSucceeds()
    {
        var path = new List<string>();
        var name = definition["StartAt"]!.GetValue<string>();
        while (AslDocument.State(definition, name) is { } state && state["Type"]!.GetValue<string>() == "Task")
        {
            path.Add(name);
            name = state["Next"]!.GetValue<string>();
        }

        Assert.Equal(LeadOnboardingSteps.InOrder.Select(s => s.Name), path);
        Assert.Equal("Succeed", AslDocument.State(definition, name)["Type"]!.GetValue<string>());
    }

    [Fact]
    public void EveryStep_CallsItsOwnLambda_WithTheWorkflowsTimeout_AndKeepsItsResultWhereTheErrorStepLooks()
    {
        foreach (var step in LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep))
        {
            var state = AslDocument.State(definition, step.Name);
            Assert.Equal("Task", state["Type"]!.GetValue<string>());
            Assert.Equal($"${{{LeadOnboardingStateMachine.FunctionArnVariable(step.Name)}}}", state["Resource"]!.GetValue<string>());
            Assert.Equal((int)step.StartToCloseTimeout.TotalSeconds, state["TimeoutSeconds"]!.GetValue<int>());
            Assert.Equal(LeadOnboardingStateMachine.ResultPathOf(step.Name), state["ResultPath"]!.GetValue<string>());
        }

        Assert.Equal(
            LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep).Select(s => LeadOnboardingStateMachine.FunctionArnVariable(s.Name)).Order(),
            AslDocument.Placeholders().Order());
    }

    [Fact]
    public void EveryStepThatCallsTheCrm_RetriesLikeTheWorkflow()
    {
        foreach (var step in LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep).Where(s => !s.Deterministic))
        {
            var retriers = AslDocument.Items(AslDocument.State(definition, step.Name)["Retry"]).ToList();
            var policy = step.Retry;

            // Not retried: exactly the workflow's non-retryable error types.
            var never = retriers.Where(r => r["MaxAttempts"]?.GetValue<int>() == 0).ToList();
            Assert.Single(never);
            Assert.Equal(policy.NonRetryableErrorTypes.Order(), AslDocument.Strings(never[0]["ErrorEquals"]).Order());
            Assert.Same(never[0], retriers[0]);

            // Refused credentials wait for an operator: every 5 minutes over the same window, as the Temporal activity's
            // next retry delay does; the retrier comes right after the non-retryable one, before the catch-alls.
            var credentials = retriers[1];
            var waiting = LeadOnboardingSteps.WaitingForCredentials(policy);
            Assert.Equal([LeadErrorTypes.CrmUnauthorized], AslDocument.Strings(credentials["ErrorEquals"]));
            Assert.Equal((int)LeadOnboardingSteps.CredentialsRetryInterval.TotalSeconds, credentials["IntervalSeconds"]!.GetValue<int>());
            Assert.Equal(1.0, credentials["BackoffRate"]!.GetValue<double>());
            Assert.Equal(AslRetry.MaxAttempts(waiting), credentials["MaxAttempts"]!.GetValue<int>());
            Assert.Equal(policy.RetryWindow, TimeSpan.FromSeconds(AslRetry.MaxAttempts(waiting) * (double)AslRetry.IntervalSeconds(waiting)));

            // Retried with the workflow's backoff over its window: the named transient errors, and (like
            // Temporal, which retries whatever is not non-retryable) anything else, States.ALL last; a throttling
            // CRM by its own retrier, from the floor the step list gives (Temporal waits the answer's Retry-After).
            var retried = retriers.Skip(2).ToList();
            Assert.NotEmpty(retried);
            foreach (var retrier in retried)
            {
                var backoff = AslDocument.Strings(retrier["ErrorEquals"]).SequenceEqual([LeadErrorTypes.CrmThrottled]) ? policy.Throttled : policy;
                Assert.Equal(AslRetry.IntervalSeconds(backoff), retrier["IntervalSeconds"]!.GetValue<int>());
                Assert.Equal(policy.BackoffCoefficient, retrier["BackoffRate"]!.GetValue<double>());
                Assert.Equal(AslRetry.MaxDelaySeconds(policy), retrier["MaxDelaySeconds"]!.GetValue<int>());
                Assert.Equal(AslRetry.MaxAttempts(backoff), retrier["MaxAttempts"]!.GetValue<int>());
                Assert.Null(retrier["JitterStrategy"]);
            }

            var retriedErrors = retried.SelectMany(r => AslDocument.Strings(r["ErrorEquals"])).ToList();
            Assert.Contains(LeadErrorTypes.CrmUnavailable, retriedErrors);
            Assert.Contains("States.Timeout", retriedErrors);
            Assert.All(LambdaServiceErrors, error => Assert.Contains(error, retriedErrors));
            Assert.Equal(["States.ALL"], AslDocument.Strings(retried[^1]["ErrorEquals"]));
            Assert.Empty(retriedErrors.Intersect(policy.NonRetryableErrorTypes));
            Assert.Single(retried, r => AslDocument.Strings(r["ErrorEquals"]).SequenceEqual([LeadErrorTypes.CrmThrottled]));
            Assert.DoesNotContain(LeadErrorTypes.CrmUnauthorized, retriedErrors);
        }
    }

    [Fact]
    public void ADeterministicStep_RetriesOnlyTheLambdaServicesErrors_NeverItsOwn()
    {
        // ReceiveLead is pure code: the workflow gives its local activity one attempt, whatever it throws.
        var receive = LeadOnboardingSteps.Get(LeadOnboardingSteps.ReceiveLead);
        Assert.True(receive.Deterministic);
        Assert.Equal([LeadOnboardingSteps.ReceiveLead], LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep).Where(s => s.Deterministic).Select(s => s.Name));

        var retrier = Assert.Single(AslDocument.Items(AslDocument.State(definition, receive.Name)["Retry"]));
        Assert.Equal(LambdaServiceErrors, AslDocument.Strings(retrier["ErrorEquals"]));
        Assert.Equal(AslRetry.IntervalSeconds(receive.Retry), retrier["IntervalSeconds"]!.GetValue<int>());
        Assert.Equal(AslRetry.MaxAttempts(receive.Retry), retrier["MaxAttempts"]!.GetValue<int>());
    }

    [Fact]
    public void AThrottlingCrm_HasItsOwnNamedErrorAndRetry_FromTheStepListsFloor()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), LeadOnboardingSteps.DefaultRetry.ThrottledInitialInterval);
        Assert.DoesNotContain(LeadErrorTypes.CrmThrottled, LeadOnboardingSteps.DefaultRetry.NonRetryableErrorTypes);
        foreach (var step in new[] { LeadOnboardingSteps.CreateClient, LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateBenefit, LeadOnboardingSteps.NotifyBranch, LeadOnboardingSteps.RecordFailure })
        {
            var throttled = Assert.Single(
                AslDocument.Items(AslDocument.State(definition, step)["Retry"]),
                r => AslDocument.Strings(r["ErrorEquals"]).Contains(LeadErrorTypes.CrmThrottled));
            Assert.Equal(5, throttled["IntervalSeconds"]!.GetValue<int>());
            Assert.Equal(2.0, throttled["BackoffRate"]!.GetValue<double>());
            Assert.Equal(300, throttled["MaxDelaySeconds"]!.GetValue<int>());
        }

        // The named Lambda error is the one the state machine matches.
        Assert.Equal(LeadErrorTypes.CrmThrottled, nameof(CrmThrottled));
    }

    [Fact]
    public void RetryAttempts_CoverTheRetryWindow_AndNoMore()
    {
        // 1 s doubling to the 5 min cap: 1+2+...+256 = 511 s in 9 retries, then 287 capped pauses reach 24 h.
        Assert.Equal(296, AslRetry.MaxAttempts(LeadOnboardingSteps.DefaultRetry));
        Assert.Equal(2024, AslRetry.MaxAttempts(LeadOnboardingSteps.ErrorStepRetry));

        foreach (var policy in new[] { LeadOnboardingSteps.DefaultRetry, LeadOnboardingSteps.ErrorStepRetry })
        {
            var attempts = AslRetry.MaxAttempts(policy);
            Assert.True(TotalPause(policy, attempts) >= policy.RetryWindow);
            Assert.True(TotalPause(policy, attempts - 1) < policy.RetryWindow);
        }
    }

    [Fact]
    public void TheWorkflow_UsesTheSameRetryPolicy_AsTheStepList()
    {
        var workflow = new LeadOnboardingOptions();

        Assert.Equal(LeadOnboardingSteps.DefaultRetry.InitialInterval, workflow.InitialRetryInterval);
        Assert.Equal(LeadOnboardingSteps.DefaultRetry.BackoffCoefficient, workflow.BackoffCoefficient);
        Assert.Equal(LeadOnboardingSteps.DefaultRetry.MaximumInterval, workflow.MaximumRetryInterval);
        Assert.Equal(LeadOnboardingSteps.DefaultRetry.RetryWindow, workflow.RetryWindow);
        Assert.Equal(LeadOnboardingSteps.ErrorStepRetry.RetryWindow, workflow.ErrorStepRetryWindow);
        Assert.Null(workflow.StepTimeout);
    }

    [Fact]
    public void EveryStepFailure_GoesToTheErrorStep_ThenToAFailStateNamedAfterTheOutcome()
    {
        foreach (var step in LeadOnboardingSteps.InOrder)
        {
            var catchers = AslDocument.Items(AslDocument.State(definition, step.Name)["Catch"]).ToList();
            var catcher = Assert.Single(catchers);
            Assert.Equal(["States.ALL"], AslDocument.Strings(catcher["ErrorEquals"]));
            Assert.Equal(LeadOnboardingSteps.RecordFailure, catcher["Next"]!.GetValue<string>());
            Assert.Equal(LeadOnboardingStateMachine.ErrorPathOf(step.Name), catcher["ResultPath"]!.GetValue<string>());
        }

        var failStates = AslDocument.States(definition)
            .Where(s => s.Value!["Type"]!.GetValue<string>() == "Fail")
            .Select(s => s.Value!["Error"]!.GetValue<string>())
            .Distinct()
            .Order();
        Assert.Equal(new[] { LeadErrorTypes.LeadOnboardingFailed, LeadErrorTypes.LeadRejected }.Order(), failStates);
    }

    [Fact]
    public void LeadId_IsTheWorkflowId_SoBothHostsKeyTheirWritesAlike()
    {
        using var envelope = JsonDocument.Parse("""{"id":"7f9c2ad1-1111-2222-3333-444455556666"}""");

        Assert.Equal(LeadWorkflowIds.ForEvent("7f9c2ad1-1111-2222-3333-444455556666"), StepFunctionsLeadIds.FromEvent(envelope.RootElement));
        Assert.Equal("lead-x", StepFunctionsLeadIds.Resolve(JsonDocument.Parse("{}").RootElement, "lead-x"));
    }

    private static TimeSpan TotalPause(StepRetryPolicy policy, int retries)
    {
        var total = TimeSpan.Zero;
        var pause = policy.InitialInterval;
        for (var i = 0; i < retries; i++)
        {
            total += pause;
            pause = TimeSpan.FromTicks(Math.Min((long)(pause.Ticks * policy.BackoffCoefficient), policy.MaximumInterval.Ticks));
        }

        return total;
    }
}
