namespace LeadFlow.Crm.Backend.Holds;

/// <summary>
/// A kind of CRM row that lead runs hold (client, partner, benefit, branch notification): its entity name as a person says it, its table,
/// and the kinds whose rows hang off it through <see cref="DependantColumn"/>. Written once, used by the creates, the
/// compensations and the plain deletes, so the three kinds share one code path.
/// </summary>
/// <param name="Entity">As a person says it, and as stored in <c>row_holds.entity</c>: <c>client</c>.</param>
/// <param name="Table">The table (a literal of our own SQL, never user input).</param>
/// <param name="Dependants">The kinds whose rows reference this one; such a row cannot be deleted while they exist.</param>
public sealed record HeldRowKind(string Entity, string Table, IReadOnlyList<HeldRowKind> Dependants)
{
    /// <summary>The column by which partners, benefits and branch notifications reference their client.</summary>
    public const string DependantColumn = "client_id";

    public static readonly HeldRowKind Partner = new("partner", "partners", []);

    public static readonly HeldRowKind Benefit = new("benefit", "benefits", []);

    /// <summary>A branch notification (<c>POST /notify_branch</c>): the store told about its new member; hangs off the client.</summary>
    public static readonly HeldRowKind BranchNotification = new("notification", "branch_notifications", []);

    public static readonly HeldRowKind Client = new("client", "clients", [Partner, Benefit, BranchNotification]);

    public static readonly IReadOnlyList<HeldRowKind> All = [Client, Partner, Benefit, BranchNotification];

    /// <summary>The entity capitalised for a sentence's start: <c>Client</c>.</summary>
    public string Title => $"{char.ToUpperInvariant(Entity[0])}{Entity[1..]}";

    /// <summary>The kind stored as <paramref name="entity"/> in <c>row_holds</c>.</summary>
    /// <exception cref="InvalidOperationException">The entity is none of the three (a corrupt hold).</exception>
    public static HeldRowKind Named(string entity) =>
        All.FirstOrDefault(k => k.Entity == entity) ?? throw new InvalidOperationException($"'{entity}' is not a held row kind.");
}
