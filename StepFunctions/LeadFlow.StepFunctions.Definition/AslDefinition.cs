using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Steps;

namespace LeadFlow.StepFunctions.Definition;

/// <summary>
/// Generates the Amazon States Language definition of the AWS target from the one step list
/// (<see cref="LeadOnboardingSteps"/>) and the payload layout (<see cref="LeadOnboardingStateMachine"/>): the
/// states and their order, timeouts, Retry (intervals, non-retryable error names), Catch routing and the
/// payload paths all come from there, so the committed <c>lead-onboarding.asl.json</c> is never edited by
/// hand (a test fails when it differs from a fresh generation). ASL reference:
/// https://states-language.net/spec.html and https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html.
/// </summary>
public static class AslDefinition
{
    /// <summary>The state after the last step.</summary>
    public const string SucceededState = "LeadOnboarded";

    /// <summary>The Choice after the error step: rejected (the lead is invalid) or failed (compensated).</summary>
    public const string OutcomeChoiceState = "RejectedOrFailed";

    /// <summary>The Fail state reached when the error step itself runs out of retries.</summary>
    public const string FailureNotRecordedState = "FailureNotRecorded";

    /// <summary>
    /// The Lambda service's own transient errors around a task, retried on every step, the deterministic ones too:
    /// they say nothing about the step's input (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
    /// </summary>
    public static readonly IReadOnlyList<string> LambdaServiceErrors =
        ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"];

    /// <summary>
    /// Errors Step Functions raises around a Lambda task that are worth retrying like a CRM outage on a step that
    /// calls the CRM: a task timeout and the Lambda service's transient errors.
    /// </summary>
    public static readonly IReadOnlyList<string> HostTransientErrors = ["States.Timeout", .. LambdaServiceErrors];

    private static readonly JsonSerializerOptions Output = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The definition as a JSON object, placeholders <c>${&lt;Step&gt;FunctionArn}</c> for the template's DefinitionSubstitutions.</summary>
    public static JsonObject Build()
    {
        var steps = LeadOnboardingSteps.InOrder;
        var states = new JsonObject();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var state = Task(step, ParametersOf(step));
            state["Catch"] = new JsonArray(new JsonObject
            {
                ["ErrorEquals"] = new JsonArray("States.ALL"),
                ["ResultPath"] = LeadOnboardingStateMachine.ErrorPathOf(step.Name),
                ["Next"] = LeadOnboardingSteps.RecordFailure,
            });
            state["Next"] = i + 1 < steps.Count ? steps[i + 1].Name : SucceededState;
            states[step.Name] = state;
        }

        states[SucceededState] = new JsonObject { ["Type"] = "Succeed" };

        var errorStep = Task(LeadOnboardingSteps.ErrorStep, ParametersOf(LeadOnboardingSteps.ErrorStep));
        errorStep["Catch"] = new JsonArray(new JsonObject
        {
            ["ErrorEquals"] = new JsonArray("States.ALL"),
            ["ResultPath"] = "$.recordFailureError",
            ["Next"] = FailureNotRecordedState,
        });
        errorStep["Next"] = OutcomeChoiceState;
        states[LeadOnboardingSteps.RecordFailure] = errorStep;

        var failure = LeadOnboardingStateMachine.ResultPathOf(LeadOnboardingSteps.RecordFailure);
        states[OutcomeChoiceState] = new JsonObject
        {
            ["Type"] = "Choice",
            ["Comment"] = "The error step says what the lead's outcome is (errorType of the recorded failure).",
            ["Choices"] = new JsonArray(new JsonObject
            {
                ["Variable"] = $"{failure}.errorType",
                ["StringEquals"] = LeadErrorTypes.LeadRejected,
                ["Next"] = LeadErrorTypes.LeadRejected,
            }),
            ["Default"] = LeadErrorTypes.LeadOnboardingFailed,
        };
        states[LeadErrorTypes.LeadRejected] = Fail(LeadErrorTypes.LeadRejected, "The lead is invalid: a person has to fix it (see the recorded failure).", $"{failure}.summary");
        states[LeadErrorTypes.LeadOnboardingFailed] = Fail(LeadErrorTypes.LeadOnboardingFailed, "Compensated and recorded; the cause names the failed step.", $"{failure}.summary");
        states[FailureNotRecordedState] = Fail(
            LeadErrorTypes.LeadOnboardingFailed,
            "The error step itself ran out of retries: nothing recorded, rows may remain. Redrive the execution.",
            "$.recordFailureError.Cause");

        return new JsonObject
        {
            ["Comment"] = $"Lead onboarding, the AWS target of LeadOnboardingWorkflow: {string.Join(" -> ", steps.Select(s => s.Name))}, every failure compensated by {LeadOnboardingSteps.RecordFailure}. "
                + $"Input: {{\"event\": <EventBridge envelope>}}. GENERATED from LeadOnboardingSteps by StepFunctions/LeadFlow.StepFunctions.Definition: do not edit by hand.",
            ["StartAt"] = steps[0].Name,
            ["States"] = states,
        };
    }

    /// <summary>The definition as the committed file's text: indented, LF line ends, a final newline.</summary>
    public static string BuildText() => Build().ToJsonString(Output).ReplaceLineEndings("\n") + "\n";

    private static JsonObject Task(StepDefinition step, JsonObject parameters) => new()
    {
        ["Type"] = "Task",
        ["Comment"] = CommentOf(step),
        ["Resource"] = $"${{{LeadOnboardingStateMachine.FunctionArnVariable(step.Name)}}}",
        ["Parameters"] = parameters,
        ["TimeoutSeconds"] = (int)Math.Ceiling(step.StartToCloseTimeout.TotalSeconds),
        ["ResultPath"] = LeadOnboardingStateMachine.ResultPathOf(step.Name),
        ["Retry"] = Retriers(step),
    };

    private static JsonArray Retriers(StepDefinition step)
    {
        var policy = step.Retry;

        if (step.Deterministic)
        {
            // Pure code: what the step throws it throws again (Temporal gives its local activity one attempt).
            // Only the Lambda service failing around it is worth another try.
            return new JsonArray(Retrier(LambdaServiceErrors, policy));
        }

        // Like Temporal, which retries whatever is not non-retryable: refused credentials every 5 minutes (an operator
        // fixes the key; Temporal waits the same through the failure's next retry delay), the named transient errors
        // with the step's backoff, a throttling CRM from its own floor (a Retry cannot read Retry-After), then
        // anything else (States.ALL must come last and alone).
        return new JsonArray(
            new JsonObject
            {
                ["ErrorEquals"] = new JsonArray([.. policy.NonRetryableErrorTypes.Select(e => (JsonNode)e)]),
                ["MaxAttempts"] = 0,
            },
            Retrier([LeadErrorTypes.CrmUnauthorized], LeadOnboardingSteps.WaitingForCredentials(policy)),
            Retrier([LeadErrorTypes.CrmUnavailable, .. HostTransientErrors], policy),
            Retrier([LeadErrorTypes.CrmThrottled], policy.Throttled),
            Retrier(["States.ALL"], policy));
    }

    private static JsonObject Retrier(IEnumerable<string> errors, StepRetryPolicy policy) => new()
    {
        ["ErrorEquals"] = new JsonArray([.. errors.Select(e => (JsonNode)e)]),
        ["IntervalSeconds"] = AslRetry.IntervalSeconds(policy),
        ["BackoffRate"] = policy.BackoffCoefficient,
        ["MaxDelaySeconds"] = AslRetry.MaxDelaySeconds(policy),
        ["MaxAttempts"] = AslRetry.MaxAttempts(policy),
    };

    private static JsonObject ParametersOf(StepDefinition step)
    {
        var received = LeadOnboardingStateMachine.ResultPathOf(LeadOnboardingSteps.ReceiveLead);
        return step.Input switch
        {
            StepInput.Event => new JsonObject
            {
                ["executionName.$"] = "$$.Execution.Name",
                ["event.$"] = LeadOnboardingStateMachine.EventPath,
            },
            StepInput.Lead => new JsonObject
            {
                ["leadId.$"] = $"{received}.leadId",
                ["lead.$"] = $"{received}.lead",
                ["runId.$"] = "$$.Execution.Name",
            },
            StepInput.Failure => new JsonObject
            {
                ["executionName.$"] = "$$.Execution.Name",
                ["executionId.$"] = "$$.Execution.Id",
                ["state.$"] = "$",
            },
            _ => throw new ArgumentOutOfRangeException(nameof(step), step.Input, "unknown step input"),
        };
    }

    private static string CommentOf(StepDefinition step) => step.Input switch
    {
        StepInput.Event => $"Unwraps the EventBridge envelope in {LeadOnboardingStateMachine.EventPath} and validates the lead. Writes nothing. Pure code: its own errors are never retried, only the Lambda service's.",
        StepInput.Lead => $"Writes one CRM row with the idempotency key {IdempotencyKeys.Form} (the run is the execution name): a retried attempt replays the backend's first answer.",
        StepInput.Failure => $"The compensating error step: undoes by idempotency key, newest first, every create this execution started up to and including the step whose error was caught at {LeadOnboardingStateMachine.ErrorsPath}.<step> (States.Timeout included); a row another lead run relies on is kept. Then records the failure.",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step.Input, "unknown step input"),
    };

    private static JsonObject Fail(string error, string comment, string causePath) => new()
    {
        ["Type"] = "Fail",
        ["Comment"] = comment,
        ["Error"] = error,
        ["CausePath"] = causePath,
    };
}
