using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace LeadFlow.Leads;

/// <summary>Turns the JSON of a lead (an event's <c>detail</c>) into a validated <see cref="Lead"/> or the list of broken rules.</summary>
public static class LeadReader
{
    /// <summary>
    /// Reads <c>{"name","lastname","rut","phone","mail","store" (or "branch"),"wantsBenefit","origin"?}</c> with the
    /// contract's rules (<see cref="Rut"/>, <see cref="MailAddress"/>, <see cref="LeadFields"/>), the same ones the
    /// backend applies to request bodies and the web form to its hints.
    /// </summary>
    /// <param name="detail">The event's <c>detail</c>; anything but a JSON object is one <c>detail</c> / <c>type</c> error.</param>
    /// <param name="lead">The lead, trimmed and with its RUT normalised, when every field is valid.</param>
    /// <param name="errors">Every broken rule, one per field, in the contract's field order; empty on success.</param>
    public static bool TryRead(JsonElement detail, [NotNullWhen(true)] out Lead? lead, out IReadOnlyList<FieldError> errors)
    {
        lead = null;
        if (detail.ValueKind != JsonValueKind.Object)
        {
            errors = [new FieldError("detail", "type", $"must be a JSON object, got {LenientJson.Describe(detail.ValueKind)}")];
            return false;
        }

        var found = new List<FieldError>();
        var name = Field(detail, "name", LeadFields.Name, found);
        var lastname = Field(detail, "lastname", LeadFields.Name, found);
        var rutText = LenientJson.Text(detail, out var rutType, "rut");
        string? rut = null;
        if (rutType is not null)
        {
            found.Add(rutType);
        }
        else if (!Rut.TryNormalize(rutText, out rut, out var rutError))
        {
            found.Add(rutError);
        }

        var phone = Field(detail, "phone", LeadFields.Phone, found);
        var mail = Field(detail, "mail", LeadFields.Mail, found);
        // "branch" is what the mobile app called the store; both are accepted.
        var store = Field(detail, "store", LeadFields.Store, found, "branch");
        var origin = Field(detail, "origin", LeadFields.Origin, found);
        var wantsBenefit = LenientJson.Boolean(detail, "wantsBenefit", out var benefitError);
        if (benefitError is not null)
        {
            found.Add(benefitError);
        }

        errors = found;
        if (found.Count > 0)
        {
            return false;
        }

        lead = new Lead(name!.Trim(), lastname!.Trim(), rut!, phone!.Trim(), mail!.Trim(), store!.Trim(), wantsBenefit!.Value, string.IsNullOrWhiteSpace(origin) ? null : origin.Trim());
        return true;
    }

    private static string? Field(JsonElement obj, string field, Func<string, string?, FieldError?> rule, List<FieldError> errors, params string[] aliases)
    {
        var value = LenientJson.Text(obj, out var typeError, field, aliases);
        var error = typeError ?? rule(field, value);
        if (error is not null)
        {
            errors.Add(error);
        }

        return value;
    }
}
