using System.Globalization;
using System.Text.Json;
using LeadFlow.Leads;
using Microsoft.Extensions.Options;

namespace LeadFlow.Steps;

/// <summary>
/// The first step: unwraps the EventBridge envelope (a JSON string, as the bus delivered it) and
/// validates the lead in its <c>detail</c>. Anything wrong is a <see cref="LeadRejectedException"/>
/// naming every broken field, so a person can fix the lead in one go. Pure code: the same text always
/// gets the same verdict, which is why neither host retries this step's errors.
/// </summary>
public sealed class ReceiveLeadStep(IOptions<LeadEventOptions> options)
{
    /// <summary>EventBridge's own limit for one event.</summary>
    public const int MaxEventBytes = 256 * 1024;

    /// <param name="eventJson">The envelope as JSON text; null (nothing given) is rejected like the JSON <c>null</c>.</param>
    /// <returns>The validated, normalised lead.</returns>
    /// <exception cref="LeadRejectedException">The text is not an envelope of a lead event, or the lead breaks a rule.</exception>
    public Lead Receive(string? eventJson)
    {
        if (eventJson is null)
        {
            throw Rejected(new FieldError("event", "required", "is required: nothing was given"));
        }

        if (eventJson.Length > MaxEventBytes)
        {
            throw Rejected(new FieldError("event", "event.size", $"must be at most {MaxEventBytes} bytes"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(eventJson);
        }
        catch (JsonException)
        {
            throw Rejected(new FieldError("event", "event.json", "is not valid JSON"));
        }

        using (document)
        {
            var envelope = document.RootElement;
            if (envelope.ValueKind != JsonValueKind.Object)
            {
                throw Rejected(new FieldError("event", "type", $"must be a JSON object, got {LenientJson.Describe(envelope.ValueKind)}"));
            }

            var errors = new List<FieldError>();
            Expect(envelope, "source", options.Value.Source, errors);
            Expect(envelope, "detail-type", options.Value.DetailType, errors);
            if (!envelope.TryGetProperty("detail", out var detail) || detail.ValueKind == JsonValueKind.Null)
            {
                errors.Add(new FieldError("detail", "required", "is required: the envelope carries no lead"));
                throw Rejected([.. errors]);
            }

            if (!LeadReader.TryRead(detail, out var lead, out var leadErrors))
            {
                errors.AddRange(leadErrors);
            }

            return errors.Count == 0 ? lead! with { EventTime = EventTimeOf(envelope) } : throw Rejected([.. errors]);
        }
    }

    private static void Expect(JsonElement envelope, string field, string expected, List<FieldError> errors)
    {
        var actual = envelope.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
        {
            errors.Add(new FieldError(field, $"event.{field}", $"must be '{expected}', got {(actual is null ? "none" : $"'{Truncate(actual)}'")}"));
        }
    }

    /// <summary>
    /// The envelope's <c>time</c> (EventBridge writes RFC 3339, e.g. <c>2026-01-01T12:00:00Z</c>), or null. Not a rule of
    /// the lead: an absent or unreadable time only means the backend records differences without one.
    /// </summary>
    private static DateTimeOffset? EventTimeOf(JsonElement envelope) =>
        envelope.TryGetProperty("time", out var time) && time.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";

    private static LeadRejectedException Rejected(params FieldError[] errors) => new("Lead rejected", errors);
}
