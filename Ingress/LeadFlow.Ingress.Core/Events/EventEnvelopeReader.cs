using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LeadFlow.Ingress.Events;

/// <summary>
/// Checks the envelope (not the lead: the workflow's ReceiveLead step judges the lead, so a bad
/// lead is still started and its rejection recorded) and works out the event id.
/// </summary>
public static class EventEnvelopeReader
{
    /// <summary>EventBridge's limit for one event (256 KB).</summary>
    public const int MaxEnvelopeBytes = 256 * 1024;

    /// <summary>Event ids become workflow ids; Temporal caps those, and no real event id is this long.</summary>
    public const int MaxEventIdLength = 256;

    private static readonly JsonDocumentOptions StrictJson = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <exception cref="MalformedEnvelopeException">With the field at fault and the reason.</exception>
    public static LeadEvent Read(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxEnvelopeBytes)
        {
            throw new MalformedEnvelopeException("envelope", $"is {utf8.Length} bytes, over the {MaxEnvelopeBytes} byte EventBridge limit", tooLarge: true);
        }

        // JSON strings are decoded lazily: invalid UTF-8 or a lone surrogate escape inside one would surface later as an
        // InvalidOperationException (an intake's 500). Refused here as the malformed envelope it is.
        MalformedEnvelopeException.RequireDecodableText(utf8, "envelope");

        var bytes = utf8.ToArray();
        using var document = Parse(bytes);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedEnvelopeException("envelope", $"must be a JSON object, got {Describe(root.ValueKind)}");
        }

        if (!root.TryGetProperty("detail", out var detail))
        {
            throw new MalformedEnvelopeException("detail", "is required (the lead)");
        }

        if (detail.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedEnvelopeException("detail", $"must be a JSON object, got {Describe(detail.ValueKind)}");
        }

        foreach (var optionalText in (string[])["source", "detail-type", "version", "time"])
        {
            if (root.TryGetProperty(optionalText, out var value) && value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                throw new MalformedEnvelopeException(optionalText, $"must be a string, got {Describe(value.ValueKind)}");
            }
        }

        var contentHash = Sha256Hex(bytes);
        var (eventId, derived) = EventId(root, contentHash);
        return new LeadEvent(eventId, derived, Encoding.UTF8.GetString(bytes), contentHash);
    }

    /// <summary>Lower-case hex SHA-256 of the bytes.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    // An envelope without an id gets "sha256-<hash of the raw bytes>": the same bytes delivered
    // twice map to the same workflow; any other byte (even whitespace) is another event.
    private static (string Id, bool Derived) EventId(JsonElement root, string contentHash)
    {
        if (!root.TryGetProperty("id", out var id) || id.ValueKind == JsonValueKind.Null)
        {
            return ("sha256-" + contentHash, true);
        }

        if (id.ValueKind != JsonValueKind.String)
        {
            throw new MalformedEnvelopeException("id", $"must be a string, got {Describe(id.ValueKind)}");
        }

        var text = id.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new MalformedEnvelopeException("id", "must not be empty");
        }

        if (text.Length > MaxEventIdLength)
        {
            throw new MalformedEnvelopeException("id", $"is {text.Length} characters, over {MaxEventIdLength}");
        }

        if (text.Any(char.IsControl))
        {
            throw new MalformedEnvelopeException("id", "must not contain control characters");
        }

        return (text, false);
    }

    private static JsonDocument Parse(byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes, StrictJson);
        }
        catch (JsonException e)
        {
            // Control characters outside strings (and raw ones inside) land here too.
            throw MalformedEnvelopeException.JsonSyntax("envelope", e);
        }
    }

    /// <summary>A JSON value kind in words ("an object", "null"), for error messages.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
