using System.Globalization;
using System.Text.Json;

namespace LeadFlow.Leads;

/// <summary>
/// Reads the loosely typed fields the original web form sent: phone as a number or a string,
/// booleans as <c>true</c> or <c>"true"</c>. Anything else is reported, not guessed.
/// </summary>
public static class LenientJson
{
    /// <summary>The first of <paramref name="names"/> present on the object, as text; numbers keep their JSON spelling.</summary>
    public static string? Text(JsonElement obj, out FieldError? error, string field, params string[] aliases)
    {
        error = null;
        foreach (var name in aliases.Prepend(field))
        {
            if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return value.GetString();
                case JsonValueKind.Number:
                    return value.GetRawText();
                default:
                    error = new FieldError(field, "type", "must be a string");
                    return null;
            }
        }

        return null;
    }

    public static bool? Boolean(JsonElement obj, string field, out FieldError? error)
    {
        error = null;
        if (!obj.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            error = new FieldError(field, "required", "is required");
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed):
                return parsed;
            case JsonValueKind.Number when value.TryGetInt32(out var number) && number is 0 or 1:
                return number == 1;
            default:
                error = new FieldError(field, "type", "must be true or false");
                return null;
        }
    }

    public static string Describe(JsonValueKind kind) => kind.ToString().ToLower(CultureInfo.InvariantCulture);
}
