using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Benefits;

/// <summary>
/// The body of <c>POST /create_benefit</c>; <c>wantsBenefit</c> may also be <c>"true"</c>/<c>"false"</c> or 1/0.
/// <c>eventTime</c> (optional, RFC 3339) is when the lead's event happened.
/// </summary>
public sealed record CreateBenefitRequest(string Rut, bool WantsBenefit, DateTimeOffset? EventTime = null);

/// <summary>A validated benefit choice: RUT normalised.</summary>
public sealed record NewBenefit(string Rut, bool WantsBenefit);

public sealed record BenefitView(long Id, long ClientId, string Rut, bool WantsBenefit, DateTimeOffset CreatedAt);

/// <summary>One benefit choice per client.</summary>
public sealed class BenefitCreate : IHeldRowCreate<NewBenefit>
{
    public string Entity => Kind.Entity;

    public HeldRowKind Kind => HeldRowKind.Benefit;

    public JsonTypeInfo<NewBenefit> CommandJson => CrmJsonContext.Default.NewBenefit;

    // Stored as PostgreSQL's boolean text (wants_benefit::text): true / false.
    public IReadOnlyList<ComparedField<NewBenefit>> ComparedFields { get; } = [ComparedField<NewBenefit>.Plain("wantsBenefit", b => b.WantsBenefit ? "true" : "false")];

    public string RutOf(NewBenefit command) => command.Rut;

    public bool TryRead(JsonElement body, [NotNullWhen(true)] out NewBenefit? command, out IReadOnlyList<FieldError> errors)
    {
        command = null;
        if (BodyFields.Of(body, out errors) is not { } fields)
        {
            return false;
        }

        var rut = fields.Rut();
        var wantsBenefit = fields.Boolean("wantsBenefit");
        errors = fields.Errors;
        command = errors.Count == 0 ? new NewBenefit(rut!, wantsBenefit!.Value) : null;
        return command is not null;
    }

    public async Task<CreateOutcome> InsertAsync(SqlSession sql, NewBenefit benefit, CancellationToken cancellationToken) =>
        ClientDependants.Outcome(
            await NaturalKeyInsert.RunAsync(
                sql,
                $"INSERT INTO benefits (client_id, rut, wants_benefit) SELECT c.id, c.rut, {benefit.WantsBenefit} FROM (SELECT id, rut FROM clients WHERE rut = {benefit.Rut} FOR KEY SHARE) c ON CONFLICT (rut) DO NOTHING RETURNING id",
                $"SELECT id, wants_benefit::text FROM benefits WHERE rut = {benefit.Rut} FOR KEY SHARE",
                cancellationToken),
            Entity);

    public string Describe(NewBenefit benefit) => $"rut {PersonalData.MaskRut(benefit.Rut)}, wants benefit {benefit.WantsBenefit}";
}

public static class BenefitEndpoints
{
    public static IEndpointRouteBuilder MapBenefits(this IEndpointRouteBuilder routes)
    {
        routes.MapIdempotentCreate<NewBenefit, CreateBenefitRequest>("/create_benefit", new BenefitCreate())
            .WithName("CreateBenefit").WithTags("Benefits").WithSummary("Records an existing client's benefit choice, once per client; the lead run named by the Idempotency-Key holds it.");

        routes.MapGroup("/benefits").WithTags("Benefits")
            .MapRowReads(HeldRowKind.Benefit, db => db.Benefits, b => new BenefitView(b.Id, b.ClientId, b.Rut, b.WantsBenefit, b.CreatedAt))
            .MapRowDelete(HeldRowKind.Benefit);
        return routes;
    }
}
