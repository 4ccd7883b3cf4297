using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Partners;

/// <summary>
/// The body of <c>POST /create_partner</c>; <c>branch</c> is accepted instead of <c>store</c> (the mobile app's name).
/// <c>eventTime</c> (optional, RFC 3339) is when the lead's event happened.
/// </summary>
public sealed record CreatePartnerRequest(string Rut, string Store, DateTimeOffset? EventTime = null);

/// <summary>A validated partner: RUT normalised, store trimmed.</summary>
public sealed record NewPartner(string Rut, string Store);

public sealed record PartnerView(long Id, long ClientId, string Rut, string Store, DateTimeOffset CreatedAt);

/// <summary>One partner per client: the client attached to a store.</summary>
public sealed class PartnerCreate : IHeldRowCreate<NewPartner>
{
    public string Entity => Kind.Entity;

    public HeldRowKind Kind => HeldRowKind.Partner;

    public JsonTypeInfo<NewPartner> CommandJson => CrmJsonContext.Default.NewPartner;

    public IReadOnlyList<ComparedField<NewPartner>> ComparedFields { get; } = [ComparedField<NewPartner>.Plain("store", p => p.Store)];

    public string RutOf(NewPartner command) => command.Rut;

    public bool TryRead(JsonElement body, [NotNullWhen(true)] out NewPartner? command, out IReadOnlyList<FieldError> errors)
    {
        command = null;
        if (BodyFields.Of(body, out errors) is not { } fields)
        {
            return false;
        }

        var rut = fields.Rut();
        var store = fields.Text("store", LeadFields.Store, "branch");
        errors = fields.Errors;
        command = errors.Count == 0 ? new NewPartner(rut!, store!) : null;
        return command is not null;
    }

    public async Task<CreateOutcome> InsertAsync(SqlSession sql, NewPartner partner, CancellationToken cancellationToken) =>
        ClientDependants.Outcome(
            await NaturalKeyInsert.RunAsync(
                sql,
                // The client is locked FOR KEY SHARE: a compensation deleting it waits for this transaction, then sees the partner.
                $"INSERT INTO partners (client_id, rut, store) SELECT c.id, c.rut, {partner.Store} FROM (SELECT id, rut FROM clients WHERE rut = {partner.Rut} FOR KEY SHARE) c ON CONFLICT (rut) DO NOTHING RETURNING id",
                $"SELECT id, store FROM partners WHERE rut = {partner.Rut} FOR KEY SHARE",
                cancellationToken),
            Entity);

    public string Describe(NewPartner partner) => $"rut {PersonalData.MaskRut(partner.Rut)}, store {partner.Store}";
}

public static class PartnerEndpoints
{
    public static IEndpointRouteBuilder MapPartners(this IEndpointRouteBuilder routes)
    {
        routes.MapIdempotentCreate<NewPartner, CreatePartnerRequest>("/create_partner", new PartnerCreate())
            .WithName("CreatePartner").WithTags("Partners").WithSummary("Attaches an existing client to a store, once per client; the lead run named by the Idempotency-Key holds it.");

        routes.MapGroup("/partners").WithTags("Partners")
            .MapRowReads(HeldRowKind.Partner, db => db.Partners, p => new PartnerView(p.Id, p.ClientId, p.Rut, p.Store, p.CreatedAt))
            .MapRowDelete(HeldRowKind.Partner);
        return routes;
    }
}
