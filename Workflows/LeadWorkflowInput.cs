using System.Text.Json;
using LeadFlow.Leads;
using LeadFlow.Steps;
using Temporalio.Converters;

namespace LeadFlow.Workflows;

/// <summary>
/// What a lead workflow was started with, read leniently from the raw start arguments so that no input can make
/// the run loop: the bus event itself (the EventBridge envelope as a JSON object, or as a JSON string), today's
/// <see cref="LeadOnboardingInput"/> (runs started before the envelope became the input, and the checked-in
/// replay histories), and optional <see cref="LeadOnboardingOptions"/> as the second argument.
/// Pure and deterministic: the workflow calls it, also while replaying.
/// </summary>
/// <param name="EventJson">The text ReceiveLead judges; null when <paramref name="Rejection"/> is set.</param>
/// <param name="Options">The run's tuning: the second argument, else the legacy input's, else the defaults.</param>
/// <param name="Rejection">Why the input cannot be a lead event at all, as ReceiveLead's failure: the run ends rejected without calling ReceiveLead.</param>
public sealed record LeadWorkflowInput(string? EventJson, LeadOnboardingOptions Options, StepFailure? Rejection)
{
    /// <summary>The <see cref="LeadOnboardingInput"/> property that tells a legacy input from an envelope (which never has it).</summary>
    private const string LegacyEventProperty = nameof(LeadOnboardingInput.EventJson);

    /// <summary>
    /// Reads the start arguments. Never throws for a bad input: anything that is not a lead event becomes either a
    /// text ReceiveLead rejects with its own reason (<c>null</c>, <c>{}</c>, a number, an array, a string that is not
    /// JSON, an envelope without <c>detail</c>), or a <see cref="Rejection"/> (no argument, a payload that is not
    /// JSON, a legacy input without its event, options that cannot be read).
    /// </summary>
    /// <param name="input">The first start argument as received (null when the run was started without one).</param>
    /// <param name="options">The second start argument, when given.</param>
    /// <param name="converter">The workflow's payload converter (<c>Workflow.PayloadConverter</c>).</param>
    public static LeadWorkflowInput Read(IRawValue? input, IRawValue? options, IPayloadConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        if (!TryReadOptions(options, converter, out var given, out var optionsProblem))
        {
            return Rejected(new LeadOnboardingOptions(), optionsProblem!);
        }

        if (input is null)
        {
            return Rejected(given ?? new(), new FieldError("input", "required", "is missing: start the workflow with the lead event (the EventBridge envelope) as its first argument"));
        }

        JsonElement value;
        try
        {
            value = converter.ToValue<JsonElement?>(input) ?? default;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The converter throws whatever its codec does; any of it means "not a JSON payload".
            return Rejected(given ?? new(), new FieldError("input", "event.json", $"is not a JSON payload (encoding {EncodingOf(input)}): give the EventBridge envelope as JSON"));
        }

        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return new LeadWorkflowInput("null", given ?? new(), null);
        }

        if (value.ValueKind == JsonValueKind.Object && !value.TryGetProperty("detail", out _) && value.TryGetProperty(LegacyEventProperty, out _))
        {
            return Legacy(input, given, converter);
        }

        // ReceiveLead judges everything else, with the reason a person can act on ("detail: is required",
        // "event: must be a JSON object, got a number", "event: is not valid JSON").
        var eventJson = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        return new LeadWorkflowInput(eventJson, given ?? new(), null);
    }

    private static LeadWorkflowInput Legacy(IRawValue input, LeadOnboardingOptions? given, IPayloadConverter converter)
    {
        LeadOnboardingInput? legacy;
        try
        {
            // As the SDK decoded it when LeadOnboardingInput was the parameter's type: replays decode alike.
            legacy = converter.ToValue<LeadOnboardingInput>(input);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            legacy = null;
        }

        var options = given ?? legacy?.Options ?? new LeadOnboardingOptions();
        return legacy?.EventJson is { } eventJson
            ? new LeadWorkflowInput(eventJson, options, null)
            : Rejected(options, new FieldError(LegacyEventProperty, "required", "must be the EventBridge envelope as a JSON string"));
    }

    private static bool TryReadOptions(IRawValue? raw, IPayloadConverter converter, out LeadOnboardingOptions? options, out FieldError? problem)
    {
        (options, problem) = (null, null);
        if (raw is null)
        {
            return true;
        }

        try
        {
            options = converter.ToValue<LeadOnboardingOptions?>(raw);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem = new FieldError("options", "type", $"cannot be read as lead onboarding options ({FirstLine(e.Message)}): leave the second argument out, or give an object like {{\"RetryWindow\":\"1.00:00:00\"}}");
            return false;
        }
    }

    private static LeadWorkflowInput Rejected(LeadOnboardingOptions options, FieldError problem) =>
        new(null, options, StepFailure.From(LeadOnboardingSteps.ReceiveLead, new LeadRejectedException("Lead rejected", [problem])));

    private static string EncodingOf(IRawValue raw) =>
        raw.Payload.Metadata.TryGetValue("encoding", out var encoding) ? encoding.ToStringUtf8() : "none";

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 120 ? line : line[..120] + "...";
    }
}
