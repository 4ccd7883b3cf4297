using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.Http;

namespace LeadFlow.Crm.Backend.Clients;

public sealed record ClientView(long Id, string Rut, string Name, string Lastname, string Mail, string Phone, DateTimeOffset CreatedAt);

public static class ClientEndpoints
{
    public static IEndpointRouteBuilder MapClients(this IEndpointRouteBuilder routes)
    {
        routes.MapIdempotentCreate<NewClient, CreateClientRequest>("/create_client", new ClientCreate())
            .WithName("CreateClient").WithTags("Clients").WithSummary("Creates a client, once per RUT; the lead run named by the Idempotency-Key holds it.");

        routes.MapGroup("/clients").WithTags("Clients")
            .MapRowReads(HeldRowKind.Client, db => db.Clients, c => new ClientView(c.Id, c.Rut, c.Name, c.Lastname, c.Mail, c.Phone, c.CreatedAt))
            .MapRowDelete(HeldRowKind.Client);
        return routes;
    }
}
