using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Activities;
using LeadFlow.Activities.Steps;
using LeadFlow.Leads;

namespace LeadFlow.StepFunctions;

/// <summary>
/// Turns the state a Catch hands to the error step into the host-agnostic <see cref="LeadFailure"/>:
/// the failed step is the first step without a result (the steps run in order), the created rows
/// are the create steps' results, the reason comes from the caught error.
/// </summary>
public static class ExecutionFailureReader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static LeadFailure Read(RecordFailureRequest request, ReceiveLeadStep receiveLead)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(receiveLead);
        var state = request.State;
        var envelope = At(state, LeadOnboardingStateMachine.EventPath)?.Deserialize<JsonElement>();
        var received = At(state, LeadOnboardingStateMachine.ResultPathOf(LeadOnboardingSteps.ReceiveLead))?.Deserialize<ReceivedLead>(Json);
        var leadId = received?.LeadId ?? StepFunctionsLeadIds.Resolve(envelope, request.ExecutionName);

        var failedStep = LeadOnboardingSteps.InOrder
            .Select(step => step.Name)
            .FirstOrDefault(step => At(state, LeadOnboardingStateMachine.ResultPathOf(step)) is null)
            ?? LeadOnboardingSteps.InOrder[^1].Name;
        var created = CreateSteps.All
            .Select(step => At(state, LeadOnboardingStateMachine.ResultPathOf(step.Name))?.Deserialize<StepRecord>(Json))
            .OfType<StepRecord>()
            .ToList();

        var caught = At(state, LeadOnboardingStateMachine.ErrorPath);
        var errorType = caught?["Error"]?.GetValue<string>() ?? LeadErrorTypes.LeadOnboardingFailed;
        var reason = ReasonFrom(errorType, caught?["Cause"]?.GetValue<string>());
        var fieldErrors = errorType == LeadErrorTypes.LeadRejected && envelope is { } rejected
            ? FieldErrorsOf(rejected, receiveLead)
            : [];

        return new LeadFailure(leadId, failedStep, reason, errorType, fieldErrors, created, request.ExecutionId ?? request.ExecutionName);
    }

    /// <summary>The Temporal run's failure message, so both hosts describe a failed lead alike.</summary>
    public static string Summarize(LeadFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var verdict = failure.ErrorType == LeadErrorTypes.LeadRejected ? "rejected" : "failed";
        return $"Lead {failure.LeadId} {verdict} at {failure.FailedStep} ({failure.ErrorType}): {failure.Reason}";
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

    /// <summary>
    /// A Lambda error carries only a message; the rejected lead's broken fields are recovered by
    /// validating the event again (deterministic), so the recorded failure lists them as Temporal's does.
    /// </summary>
    private static IReadOnlyList<FieldError> FieldErrorsOf(JsonElement envelope, ReceiveLeadStep receiveLead)
    {
        try
        {
            receiveLead.Receive(envelope.ValueKind == JsonValueKind.String ? envelope.GetString() ?? "" : envelope.GetRawText());
            return [];
        }
        catch (LeadRejectedException rejected)
        {
            return rejected.FieldErrors;
        }
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
