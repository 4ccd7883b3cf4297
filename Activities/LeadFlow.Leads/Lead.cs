namespace LeadFlow.Leads;

/// <summary>A validated lead: the <c>detail</c> of a LeadSubmitted event, normalised.</summary>
/// <param name="Rut">Normalised, e.g. <c>11111111-1</c>.</param>
/// <param name="Phone">Trimmed as received; digits, spaces, <c>+ - ( )</c> only.</param>
/// <param name="EventTime">
/// When the lead's event happened: the envelope's <c>time</c> (not part of the <c>detail</c>, so ReceiveLead sets it);
/// null when the envelope had none or an unreadable one, and in leads received before it was carried.
/// </param>
public sealed record Lead(
    string Name,
    string Lastname,
    string Rut,
    string Phone,
    string Mail,
    string Store,
    bool WantsBenefit,
    string? Origin,
    DateTimeOffset? EventTime = null);
