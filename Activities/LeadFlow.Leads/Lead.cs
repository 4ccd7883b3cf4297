namespace LeadFlow.Leads;

/// <summary>A validated lead: the <c>detail</c> of a LeadSubmitted event, normalised.</summary>
/// <param name="Rut">Normalised, e.g. <c>11111111-1</c>.</param>
/// <param name="Phone">Trimmed as received; digits, spaces, <c>+ - ( )</c> only.</param>
public sealed record Lead(
    string Name,
    string Lastname,
    string Rut,
    string Phone,
    string Mail,
    string Store,
    bool WantsBenefit,
    string? Origin);
