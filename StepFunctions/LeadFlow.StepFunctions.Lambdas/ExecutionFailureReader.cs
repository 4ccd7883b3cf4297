using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Steps;

namespace LeadFlow.StepFunctions;

/// <summary>
/// Turns the state a Catch hands to the error step into the host-agnostic <see cref="LeadFailure"/>. Nothing is
/// guessed: each step's Catch puts the caught error at <c>$.error.&lt;step&gt;</c> (the definition is generated
/// that way), the step Lambdas' error message is the <see cref="StepFailure"/> itself, and the created rows are
/// the create steps' results. The failed step is all the undo needs: with the lead id and the execution name it
/// gives every create's idempotency key, also that of a step that timed out (<c>States.Timeout</c>) without a result.
/// </summary>
public static class ExecutionFailureReader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static LeadFailure Read(RecordFailureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var state = request.State;
        var envelope = At(state, LeadOnboardingStateMachine.EventPath)?.Deserialize<JsonElement>();
        var received = At(state, LeadOnboardingStateMachine.ResultPathOf(LeadOnboardingSteps.ReceiveLead))?.Deserialize<ReceivedLead>(Json);
        var leadId = received?.LeadId ?? StepFunctionsLeadIds.Resolve(envelope, request.ExecutionName);
        var created = CreateSteps.All
            .Select(step => At(state, LeadOnboardingStateMachine.ResultPathOf(step.Name))?.Deserialize<StepRecord>(Json))
            .OfType<StepRecord>()
            .ToList();
        return LeadFailure.Of(leadId, FailureOf(state), created, request.ExecutionId ?? request.ExecutionName, envelope is { ValueKind: JsonValueKind.Object } e ? e.GetRawText() : null);
    }

    /// <summary>
    /// AWS puts the Lambda error document (<c>{"errorType","errorMessage",...}</c>) in Cause; the
    /// local interpreter puts <c>"errorType: errorMessage"</c>; a States.* error has plain text.
    /// </summary>
    public static string ReasonFrom(string errorType, string? cause)
    {
        if (string.IsNullOrWhiteSpace(cause))
        {
            return errorType;
        }

        if (cause.TrimStart().StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(cause) is JsonObject document && document["errorMessage"] is JsonValue message)
                {
                    return message.GetValue<string>();
                }
            }
            catch (JsonException)
            {
                // Not the Lambda error document: the text itself is the reason.
            }
        }

        var prefix = $"{errorType}: ";
        return cause.StartsWith(prefix, StringComparison.Ordinal) ? cause[prefix.Length..] : cause;
    }

    private static StepFailure FailureOf(JsonObject state)
    {
        if (At(state, LeadOnboardingStateMachine.ErrorsPath) is not JsonObject { Count: 1 } caughtByStep)
        {
            // Only a definition that is not ours gets here: say so rather than name a step.
            return new StepFailure("(unknown)", LeadErrorTypes.LeadOnboardingFailed, $"The error step found no caught error at {LeadOnboardingStateMachine.ErrorsPath}.<step>", []);
        }

        var (step, caught) = caughtByStep.First();
        var errorType = caught?["Error"]?.GetValue<string>() ?? LeadErrorTypes.LeadOnboardingFailed;
        var reason = ReasonFrom(errorType, caught?["Cause"]?.GetValue<string>());
        return StepFailureJson.TryRead(reason) is { } described
            ? described with { Step = step }
            : new StepFailure(step, errorType, reason, []);
    }

    /// <summary>Reads a simple <c>$.a.b</c> path; null when any part is missing or JSON null.</summary>
    private static JsonNode? At(JsonNode? root, string path)
    {
        var node = root;
        foreach (var part in path.Split('.').Skip(1))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(part, out var next) ? next : null;
        }

        return node;
    }
}
