using System.Text;
using System.Text.Json;

namespace LeadFlow.Leads;

/// <summary>
/// One line naming a lead for people who run leads (the Temporal Web UI's workflow summary): the person's first name
/// and last-name initial, the RUT masked, the store and where it came from. Never the full RUT, the mail or the phone:
/// every free-text part also goes through <see cref="PersonalData.Redact"/>, so a mail typed into the name is masked too.
/// </summary>
public static class LeadSummary
{
    /// <summary>Longest summary this returns, in characters; the Web UI shows about this much in a list column.</summary>
    public const int MaxLength = 120;

    private const int MaxPart = 40;

    /// <summary>E.g. <c>Alice C. · RUT 12******-5 · store ESTACION_CENTRAL · web</c>.</summary>
    public static string Of(Lead lead)
    {
        ArgumentNullException.ThrowIfNull(lead);
        return Join(PersonName(lead.Name, lead.Lastname), lead.Rut, lead.Store, lead.Origin);
    }

    /// <summary>
    /// The same line read leniently from an EventBridge envelope as delivered (its <c>detail</c>), before any validation:
    /// missing or mistyped fields are left out; an envelope without a readable detail gives <c>lead event without a readable detail</c>.
    /// </summary>
    /// <param name="envelopeJson">The envelope as JSON text; anything, including invalid JSON.</param>
    public static string OfEnvelope(string envelopeJson)
    {
        try
        {
            using var document = JsonDocument.Parse(envelopeJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("detail", out var detail)
                && detail.ValueKind == JsonValueKind.Object)
            {
                var summary = Join(
                    PersonName(Text(detail, "name"), Text(detail, "lastname")),
                    Text(detail, "rut"),
                    Text(detail, "store") ?? Text(detail, "branch"),
                    Text(detail, "origin"));
                if (summary.Length > 0)
                {
                    return summary;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the summary says so; the workflow rejects the event with the reason.
        }

        return "lead event without a readable detail";
    }

    /// <summary>First name and last-name initial: <c>Alice C.</c>; empty when neither is known.</summary>
    public static string PersonName(string? name, string? lastname)
    {
        var first = Clip(name);
        var initial = Clip(lastname) is { Length: > 0 } last ? $"{char.ToUpperInvariant(last[0])}." : "";
        return $"{first} {initial}".Trim();
    }

    private static string Join(string person, string? rut, string? store, string? origin)
    {
        var parts = new List<string>();
        if (person.Length > 0)
        {
            parts.Add(person);
        }

        if (!string.IsNullOrWhiteSpace(rut))
        {
            parts.Add($"RUT {PersonalData.MaskRut(rut.Replace(".", "", StringComparison.Ordinal).Trim())}");
        }

        if (Clip(store) is { Length: > 0 } shop)
        {
            parts.Add($"store {shop}");
        }

        if (Clip(origin) is { Length: > 0 } from)
        {
            parts.Add(from);
        }

        var line = string.Join(" · ", parts);
        return line.Length <= MaxLength ? line : line[..(MaxLength - 3)] + "...";
    }

    /// <summary>Trimmed, without control characters, personal data redacted, at most <see cref="MaxPart"/> characters.</summary>
    private static string Clip(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var clean = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        var redacted = PersonalData.Redact(clean.ToString());
        return redacted.Length <= MaxPart ? redacted : redacted[..MaxPart];
    }

    private static string? Text(JsonElement detail, string field) =>
        detail.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
