using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>Rows that hang off a client (partner, benefit): refused when the client does not exist yet.</summary>
public static class ClientDependants
{
    public static CreateOutcome Outcome(NaturalKeyRow? stored, string entity) =>
        stored is not null
            ? CreateOutcome.Stored(stored.Id, stored.Created, stored.StoredValues)
            : CreateOutcome.Refused(CrmProblems.Conflict(
                $"There is no client with this RUT; create the client before its {entity}.",
                new FieldError("rut", "client.exists", $"no client has this RUT; create the client before its {entity}")));
}
