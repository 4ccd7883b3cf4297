using System.Globalization;
using LeadFlow.Steps.Crm;

namespace LeadFlow.Steps;

/// <summary>
/// What the compensation of one create step did, by the step's idempotency key (<c>POST /compensations</c>): the
/// row deleted, kept because other lead runs rely on it (and which), already gone, nothing written under the key,
/// or not undone (the backend refused the order). Every outcome but <see cref="NotUndone"/> is a successful undo:
/// a kept row is the saga's semantic lock at work (Garcia-Molina and Salem, "Sagas", 1987; Richardson,
/// <i>Microservices Patterns</i>, ch. 4, countermeasures for the lack of isolation), not an error.
/// </summary>
/// <param name="Outcome">One of <see cref="CompensationOutcomes"/>, or <see cref="NotUndone"/>.</param>
/// <param name="Message">The backend's explanation (or its refusal), for a person.</param>
/// <param name="Entity"><c>client</c>, <c>partner</c> or <c>benefit</c>; null when nothing was written under the key.</param>
/// <param name="KeptFor">For <c>kept</c>: the lead runs the row was kept for; empty otherwise.</param>
public sealed record StepCompensation(string Step, string IdempotencyKey, string Outcome, string Message, string? Entity, long? Id, IReadOnlyList<RowHolder> KeptFor)
{
    /// <summary>The backend refused the undo (409 <c>compensation.order</c>): the row is left as it was.</summary>
    public const string NotUndone = "not-undone";

    /// <summary>At most this many lead runs are named in <see cref="Describe"/>; the rest are counted.</summary>
    private const int NamedHolders = 5;

    /// <summary>True for every outcome but <see cref="NotUndone"/>.</summary>
    public bool Undone => Outcome != NotUndone;

    /// <summary>The backend's answer for one step.</summary>
    public static StepCompensation From(string step, CompensationAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return new StepCompensation(step, answer.IdempotencyKey, answer.Outcome, answer.Message, answer.Entity, answer.Id, answer.KeptFor ?? []);
    }

    /// <summary>
    /// A short phrase for a failure record or a status line: <c>partner 4 deleted</c>, <c>client 3 kept for lead-e2 (run r2)</c>,
    /// <c>benefit 9 already gone</c>, <c>nothing to undo</c>, <c>not undone: ...</c>.
    /// </summary>
    public string Describe()
    {
        var row = Entity is null ? "row" : $"{Entity} {Id?.ToString(CultureInfo.InvariantCulture)}";
        return Outcome switch
        {
            CompensationOutcomes.Deleted => $"{row} deleted",
            CompensationOutcomes.Kept when KeptFor.Count > 0 => $"{row} kept for {Holders()}",
            CompensationOutcomes.Kept => $"{row} kept (stored before this lead run: {Message})",
            CompensationOutcomes.AlreadyGone => $"{row} already gone",
            CompensationOutcomes.NothingToUndo => "nothing to undo",
            NotUndone => $"not undone: {Message}",
            _ => $"{Outcome}: {Message}",
        };
    }

    /// <summary>As the failure record keeps it (no messages: the outcome and the lead runs say it).</summary>
    public FailureCompensation ToRecord() =>
        new(Step, IdempotencyKey, Outcome, Entity, Id, KeptFor.Count == 0 ? null : [.. KeptFor.Select(h => new LeadRunName(h.LeadId, h.RunId)).Distinct()]);

    private string Holders()
    {
        var named = KeptFor.Select(h => h.Describe()).Distinct().ToList();
        return named.Count <= NamedHolders
            ? string.Join(", ", named)
            : $"{string.Join(", ", named.Take(NamedHolders))} and {(named.Count - NamedHolders).ToString(CultureInfo.InvariantCulture)} more";
    }
}
