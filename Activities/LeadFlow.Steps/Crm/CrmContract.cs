using LeadFlow.Leads;

namespace LeadFlow.Steps.Crm;

// The JSON bodies of the CRM backend, camelCase on the wire (the original contract's field names).

public sealed record CreateClientRequest(string Name, string Lastname, string Rut, string Mail, string Phone);

public sealed record CreatePartnerRequest(string Rut, string Store);

public sealed record CreateBenefitRequest(string Rut, bool WantsBenefit);

/// <summary>The answer to every write: the row's id, and whether this request created it or it already existed.</summary>
public sealed record CrmWriteAnswer(int StatusCode, string? Message, string? Description, long Id, bool Created);

/// <param name="Event">The lead's original event as JSON text (kept for redrive); null when there is none or it is too long.</param>
public sealed record LeadFailureRequest(string LeadId, string Step, string Reason, string? PayloadReference, IReadOnlyList<FieldError>? Errors, string? Event = null);

public sealed record LeadFailurePage(IReadOnlyList<LeadFailureRecord> Items, long? NextBefore);

/// <param name="Event">The original event with personal data masked (GET /lead_failures/{id}/event has it whole); null when none was kept.</param>
public sealed record LeadFailureRecord(long Id, string LeadId, string Step, string Reason, string? PayloadReference, IReadOnlyList<FieldError>? Errors, DateTimeOffset? RecordedAt, string? Event = null);

public sealed record ClientRecord(long Id, string Rut, string Name, string Lastname, string Mail, string Phone, DateTimeOffset? CreatedAt);

public sealed record PartnerRecord(long Id, long ClientId, string Rut, string Store, DateTimeOffset? CreatedAt);

public sealed record BenefitRecord(long Id, long ClientId, string Rut, bool WantsBenefit, DateTimeOffset? CreatedAt);
