using System.Text.Json;
using LeadFlow.Ingress.Events;

namespace LeadFlow.Ingress.Http;

/// <summary>One envelope found in a request body, by its position in the body.</summary>
/// <param name="ContentSha256">
/// For an envelope this intake built (around a bare lead or a PutEvents entry): the lower-case hex SHA-256 of what the
/// client sent for it, so the content hash that tells a retry from another lead under the same id does not change
/// with the <c>time</c> the intake stamps on arrival. Null for an envelope sent as it is (its bytes are hashed).
/// </param>
public sealed record IntakeEnvelope(int Index, byte[] Envelope, string? ContentSha256 = null);

/// <summary>Why one entry of a PutEvents-style body was refused.</summary>
public sealed record IntakeEntryError(int Index, string Field, string Error);

/// <summary>
/// Reads the body shapes <c>POST /events</c> accepts and turns each into EventBridge envelopes: an envelope as it is;
/// an array of envelopes, each as it is (each keyed by its own id, as the bus would deliver them one by one);
/// PutEvents-style entries (<c>[...]</c> or <c>{"Entries":[...]}</c>, <c>Detail</c> a JSON string) and a bare lead
/// wrapped into new envelopes. An array may mix envelopes and entries: an item with <c>Detail</c> is an entry, an item
/// with any envelope field (<c>detail</c>, <c>detail-type</c>, <c>source</c>, <c>version</c>) and no <c>Detail</c> an envelope.
/// </summary>
public static class IntakeBody
{
    private static readonly JsonDocumentOptions StrictJson = new() { MaxDepth = 64 };

    // An object carrying any envelope field is judged as an envelope (so a missing detail is an
    // error, not a bare lead); leads have none of these fields.
    private static readonly string[] EnvelopeFields = ["detail", "detail-type", "source", "version"];

    /// <param name="newEventId">The id of an envelope this intake creates (a bare lead, an entry).</param>
    /// <exception cref="MalformedEnvelopeException">The body as a whole is unusable.</exception>
    public static (IReadOnlyList<IntakeEnvelope> Envelopes, IReadOnlyList<IntakeEntryError> Errors) Read(
        byte[] body, EnvelopeDefaults defaults, Func<int, string> newEventId)
    {
        ArgumentNullException.ThrowIfNull(body);
        // Invalid UTF-8 or a lone surrogate escape inside a JSON string would only surface when the string is read (a 500): refused up front.
        MalformedEnvelopeException.RequireDecodableText(body, "body");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, StrictJson);
        }
        catch (JsonException e)
        {
            throw MalformedEnvelopeException.JsonSyntax("body", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                return Entries(root, defaults, newEventId);
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedEnvelopeException("body", $"must be an EventBridge envelope, PutEvents entries or a lead, got {EventEnvelopeReader.Describe(root.ValueKind)}");
            }

            if (root.TryGetProperty("Entries", out var entries))
            {
                return entries.ValueKind == JsonValueKind.Array
                    ? Entries(entries, defaults, newEventId)
                    : throw new MalformedEnvelopeException("Entries", $"must be an array, got {EventEnvelopeReader.Describe(entries.ValueKind)}");
            }

            if (EnvelopeFields.Any(f => root.TryGetProperty(f, out _)))
            {
                EventEnvelopeReader.Read(body);
                return ([new IntakeEnvelope(0, body)], []);
            }

            return ([new IntakeEnvelope(0, Wrap(newEventId(0), defaults.Source, defaults.DetailType, root, time: null, resources: null), EventEnvelopeReader.Sha256Hex(body))], []);
        }
    }

    private static (IReadOnlyList<IntakeEnvelope>, IReadOnlyList<IntakeEntryError>) Entries(JsonElement array, EnvelopeDefaults defaults, Func<int, string> newEventId)
    {
        if (array.GetArrayLength() == 0)
        {
            throw new MalformedEnvelopeException("Entries", "must not be empty");
        }

        var envelopes = new List<IntakeEnvelope>();
        var errors = new List<IntakeEntryError>();
        var index = 0;
        foreach (var entry in array.EnumerateArray())
        {
            if (IsEnvelope(entry))
            {
                // Read (and refused, naming its field) as the intake reads every envelope.
                envelopes.Add(new IntakeEnvelope(index++, System.Text.Encoding.UTF8.GetBytes(entry.GetRawText())));
                continue;
            }

            var error = Entry(entry, defaults, newEventId(index), out var envelope);
            if (error is null)
            {
                envelopes.Add(new IntakeEnvelope(index, envelope!, EventEnvelopeReader.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(entry.GetRawText()))));
            }
            else
            {
                errors.Add(new IntakeEntryError(index, error.Value.Field, error.Value.Error));
            }

            index++;
        }

        return (envelopes, errors);
    }

    private static bool IsEnvelope(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && !item.TryGetProperty("Detail", out _) && EnvelopeFields.Any(f => item.TryGetProperty(f, out _));

    private static (string Field, string Error)? Entry(JsonElement entry, EnvelopeDefaults defaults, string eventId, out byte[]? envelope)
    {
        envelope = null;
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return ("entry", $"must be an object, got {EventEnvelopeReader.Describe(entry.ValueKind)}");
        }

        var source = OptionalText(entry, "Source", out var sourceError) ?? defaults.Source;
        var detailType = OptionalText(entry, "DetailType", out var typeError) ?? defaults.DetailType;
        var time = OptionalText(entry, "Time", out var timeError);
        if ((sourceError ?? typeError ?? timeError) is { } textError)
        {
            return textError;
        }

        if (!entry.TryGetProperty("Detail", out var detailText))
        {
            return ("Detail", "is required (the lead as a JSON string); an item may also be an EventBridge envelope (id, source, detail-type, detail)");
        }

        if (detailText.ValueKind != JsonValueKind.String)
        {
            return ("Detail", $"must be a string holding a JSON object, got {EventEnvelopeReader.Describe(detailText.ValueKind)}");
        }

        var detailJson = detailText.GetString()!;
        if (LeadFlow.Leads.JsonTextCheck.FirstUndecodableString(System.Text.Encoding.UTF8.GetBytes(detailJson)) is { } badField)
        {
            return (badField.Length == 0 ? "Detail" : $"Detail.{badField}", LeadFlow.Leads.JsonTextCheck.Rule);
        }

        JsonDocument detail;
        try
        {
            detail = JsonDocument.Parse(detailJson, StrictJson);
        }
        catch (JsonException e)
        {
            return ("Detail", MalformedEnvelopeException.JsonSyntax("Detail", e).Reason);
        }

        using (detail)
        {
            if (detail.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ("Detail", $"must hold a JSON object, got {EventEnvelopeReader.Describe(detail.RootElement.ValueKind)}");
            }

            entry.TryGetProperty("Resources", out var resources);
            envelope = Wrap(eventId, source, detailType, detail.RootElement, time, resources.ValueKind == JsonValueKind.Array ? resources : null);
            return null;
        }
    }

    private static string? OptionalText(JsonElement entry, string field, out (string, string)? error)
    {
        error = null;
        if (!entry.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            error = (field, "must be a non-empty string");
            return null;
        }

        return value.GetString();
    }

    /// <summary>An EventBridge envelope around a lead, shaped as the bus would deliver it.</summary>
    public static byte[] Wrap(string eventId, string source, string detailType, JsonElement detail, string? time, JsonElement? resources)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "0");
            json.WriteString("id", eventId);
            json.WriteString("detail-type", detailType);
            json.WriteString("source", source);
            json.WriteString("account", "000000000000");
            json.WriteString("time", time ?? DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("region", "local");
            json.WritePropertyName("resources");
            if (resources is { } given)
            {
                given.WriteTo(json);
            }
            else
            {
                json.WriteStartArray();
                json.WriteEndArray();
            }

            json.WritePropertyName("detail");
            detail.WriteTo(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>The <c>source</c> and <c>detail-type</c> given to envelopes the intake creates.</summary>
public sealed record EnvelopeDefaults(string Source, string DetailType);
