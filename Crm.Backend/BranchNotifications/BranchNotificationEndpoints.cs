using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.BranchNotifications;

/// <summary>
/// The body of <c>POST /notify_branch</c>: tell <c>store</c> (alias <c>branch</c>) about its new member, the client of
/// <c>rut</c>. <c>eventTime</c> (optional, RFC 3339) is when the lead's event happened.
/// </summary>
public sealed record NotifyBranchRequest(string Rut, string Store, DateTimeOffset? EventTime = null);

/// <summary>A validated branch notification: RUT normalised, store trimmed.</summary>
public sealed record NewBranchNotification(string Rut, string Store);

/// <summary>A stored branch notification as the reads return it.</summary>
public sealed record BranchNotificationView(long Id, long ClientId, string Rut, string Store, DateTimeOffset CreatedAt);

/// <summary>
/// One notification per client: the store the lead chose learns about its new member. A held row like a partner: the
/// lead run that created it holds it, and its undo (<c>POST /compensations</c> by the create's Idempotency-Key) deletes
/// it when no other lead run relies on it, which withdraws the notice from the store's list. A second lead of the person
/// naming another store finds the stored notification and gets the difference recorded for review, as a partner does.
/// </summary>
public sealed class BranchNotificationCreate : IHeldRowCreate<NewBranchNotification>
{
    public string Entity => Kind.Entity;

    public HeldRowKind Kind => HeldRowKind.BranchNotification;

    public JsonTypeInfo<NewBranchNotification> CommandJson => CrmJsonContext.Default.NewBranchNotification;

    public IReadOnlyList<ComparedField<NewBranchNotification>> ComparedFields { get; } = [ComparedField<NewBranchNotification>.Plain("store", n => n.Store)];

    public string RutOf(NewBranchNotification command) => command.Rut;

    public bool TryRead(JsonElement body, [NotNullWhen(true)] out NewBranchNotification? command, out IReadOnlyList<FieldError> errors)
    {
        command = null;
        if (BodyFields.Of(body, out errors) is not { } fields)
        {
            return false;
        }

        var rut = fields.Rut();
        var store = fields.Text("store", LeadFields.Store, "branch");
        errors = fields.Errors;
        command = errors.Count == 0 ? new NewBranchNotification(rut!, store!) : null;
        return command is not null;
    }

    public async Task<CreateOutcome> InsertAsync(SqlSession sql, NewBranchNotification notification, CancellationToken cancellationToken) =>
        ClientDependants.Outcome(
            await NaturalKeyInsert.RunAsync(
                sql,
                // The client is locked FOR KEY SHARE: a compensation deleting it waits for this transaction, then sees the notification.
                $"INSERT INTO branch_notifications (client_id, rut, store) SELECT c.id, c.rut, {notification.Store} FROM (SELECT id, rut FROM clients WHERE rut = {notification.Rut} FOR KEY SHARE) c ON CONFLICT (rut) DO NOTHING RETURNING id",
                $"SELECT id, store FROM branch_notifications WHERE rut = {notification.Rut} FOR KEY SHARE",
                cancellationToken),
            Entity);

    public string Describe(NewBranchNotification notification) => $"rut {PersonalData.MaskRut(notification.Rut)}, store {notification.Store}";
}

/// <summary>Maps <c>POST /notify_branch</c> and the reads and delete of <c>/branch_notifications</c>.</summary>
public static class BranchNotificationEndpoints
{
    /// <summary>Maps the routes; the create is idempotent by Idempotency-Key and by RUT like the other creates.</summary>
    public static IEndpointRouteBuilder MapBranchNotifications(this IEndpointRouteBuilder routes)
    {
        routes.MapIdempotentCreate<NewBranchNotification, NotifyBranchRequest>("/notify_branch", new BranchNotificationCreate())
            .WithName("NotifyBranch").WithTags("BranchNotifications").WithSummary("Tells a store about its new member (an existing client), once per client; the lead run named by the Idempotency-Key holds the notification.");

        routes.MapGroup("/branch_notifications").WithTags("BranchNotifications")
            .MapRowReads(HeldRowKind.BranchNotification, db => db.BranchNotifications, n => new BranchNotificationView(n.Id, n.ClientId, n.Rut, n.Store, n.CreatedAt))
            .MapRowDelete(HeldRowKind.BranchNotification);
        return routes;
    }
}
