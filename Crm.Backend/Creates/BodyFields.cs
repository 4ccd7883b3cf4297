using System.Text.Json;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>Reads a request body's fields with the lead contract's rules (<see cref="LeadFields"/>, <see cref="Rut"/>), collecting every broken rule.</summary>
public sealed class BodyFields
{
    private readonly JsonElement body;

    private BodyFields(JsonElement body) => this.body = body;

    public List<FieldError> Errors { get; } = [];

    /// <summary>Null (with the error) when the body is not a JSON object.</summary>
    public static BodyFields? Of(JsonElement body, out IReadOnlyList<FieldError> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors = [new FieldError("body", "type", $"must be a JSON object, got {LenientJson.Describe(body.ValueKind)}")];
            return null;
        }

        errors = [];
        return new BodyFields(body);
    }

    /// <summary>A text field (a JSON number is read as its text), trimmed; null when it breaks <paramref name="rule"/>.</summary>
    public string? Text(string field, Func<string, string?, FieldError?> rule, params string[] aliases)
    {
        var value = LenientJson.Text(body, out var typeError, field, aliases);
        if ((typeError ?? rule(field, value)) is { } error)
        {
            Errors.Add(error);
            return null;
        }

        return value?.Trim();
    }

    /// <summary>The RUT normalised to <c>12345678-5</c>.</summary>
    public string? Rut(string field = "rut")
    {
        var value = LenientJson.Text(body, out var typeError, field);
        if (typeError is not null)
        {
            Errors.Add(typeError);
            return null;
        }

        if (!Leads.Rut.TryNormalize(value, out var normalized, out var error, field))
        {
            Errors.Add(error);
            return null;
        }

        return normalized;
    }

    public bool? Boolean(string field)
    {
        var value = LenientJson.Boolean(body, field, out var error);
        if (error is not null)
        {
            Errors.Add(error);
        }

        return value;
    }

    public JsonElement? Property(string field) =>
        body.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
}
