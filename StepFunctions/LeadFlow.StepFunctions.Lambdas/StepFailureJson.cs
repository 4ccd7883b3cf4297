using System.Text.Json;
using LeadFlow.Steps;

namespace LeadFlow.StepFunctions;

/// <summary>
/// A <see cref="StepFailure"/> as the JSON a step Lambda puts in its error message
/// (<c>{"step","errorType","reason","fieldErrors":[{"field","rule","message"}]}</c>), and back.
/// </summary>
public static class StepFailureJson
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Write(StepFailure failure) => JsonSerializer.Serialize(failure, Json);

    /// <returns>The failure, or null when the text is not one (a plain message, a runtime's own error).</returns>
    public static StepFailure? TryRead(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !text.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            var failure = JsonSerializer.Deserialize<StepFailure>(text, Json);
            return failure is { Step: not null, ErrorType: not null, Reason: not null } ? failure with { FieldErrors = failure.FieldErrors ?? [] } : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
