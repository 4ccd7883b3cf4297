using LeadFlow.Steps;

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

    /// <summary>Where the Catches put caught errors: one property per failed step (<see cref="ErrorPathOf"/>).</summary>
    public const string ErrorsPath = "$.error";

    /// <summary>
    /// Where a step's Catch puts the caught error (<c>{"Error", "Cause"}</c>), named after the step, so the error
    /// step knows which step failed without looking at what is missing.
    /// </summary>
    public static string ErrorPathOf(string step) => $"{ErrorsPath}.{LeadOnboardingSteps.Get(step).Name}";

    /// <summary>Each step's ResultPath (from <see cref="StepDefinition.ResultName"/>), so the error step sees exactly what this execution created so far.</summary>
    public static string ResultPathOf(string step)
    {
        var definition = LeadOnboardingSteps.Get(step);
        return definition.Input == StepInput.Lead ? $"$.steps.{definition.ResultName}" : $"$.{definition.ResultName}";
    }

    /// <summary>The DefinitionSubstitutions variable of a step's Lambda ARN, e.g. <c>${CreateClientFunctionArn}</c>.</summary>
    public static string FunctionArnVariable(string step) => $"{step}FunctionArn";

    /// <summary>The step's method on <see cref="LeadOnboardingStepHandlers"/>, e.g. <c>CreateClientAsync</c>.</summary>
    public static string HandlerMethodOf(string step) => $"{step}Async";
}
