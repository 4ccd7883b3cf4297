using LeadFlow.Activities;

namespace LeadFlow.StepFunctions;

/// <summary>
/// The data layout the state machine definition (<c>lead-onboarding.asl.json</c>) and the step
/// handlers share: where each step's result lives in the execution's state, and how a step's
/// Lambda is named in the definition and in the handler class. Tests hold the definition to it.
/// </summary>
public static class LeadOnboardingStateMachine
{
    public const string DefinitionFileName = "lead-onboarding.asl.json";

    /// <summary>The execution input: <c>{"event": &lt;EventBridge envelope&gt;}</c> (the rule's input transformer builds it).</summary>
    public const string EventPath = "$.event";

    /// <summary>Where every Catch puts the caught error (<c>{"Error", "Cause"}</c>) for the error step.</summary>
    public const string ErrorPath = "$.error";

    /// <summary>Each step's ResultPath, so the error step sees exactly what this execution created so far.</summary>
    public static string ResultPathOf(string step) => step switch
    {
        LeadOnboardingSteps.ReceiveLead => "$.received",
        LeadOnboardingSteps.CreateClient => "$.steps.client",
        LeadOnboardingSteps.CreatePartner => "$.steps.partner",
        LeadOnboardingSteps.CreateBenefit => "$.steps.benefit",
        LeadOnboardingSteps.RecordFailure => "$.failure",
        _ => throw new ArgumentException($"'{step}' is not a lead onboarding step", nameof(step)),
    };

    /// <summary>The DefinitionSubstitutions variable of a step's Lambda ARN, e.g. <c>${CreateClientFunctionArn}</c>.</summary>
    public static string FunctionArnVariable(string step) => $"{step}FunctionArn";

    /// <summary>The step's method on <see cref="LeadOnboardingStepHandlers"/>, e.g. <c>CreateClientAsync</c>.</summary>
    public static string HandlerMethodOf(string step) => $"{step}Async";
}
