using System.Text.Json;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.LeadFailures;

/// <summary>
/// One step's undo as a lead failure record keeps it (<c>compensations</c> of <c>POST /lead_failures</c>): the create's
/// Idempotency-Key, what <c>POST /compensations</c> answered, the row, and the lead runs it was kept for. The saga sends
/// them newest first; the record stores them as sent.
/// </summary>
/// <param name="Step">The create step, e.g. <c>CreatePartner</c>.</param>
/// <param name="Outcome"><c>deleted</c>, <c>kept</c>, <c>already-gone</c>, <c>nothing-to-undo</c>, or the saga's own <c>not-undone</c>.</param>
/// <param name="Entity"><c>client</c>, <c>partner</c> or <c>benefit</c>; null when nothing was written under the key.</param>
/// <param name="KeptFor">For <c>kept</c>: the lead runs the row was kept for.</param>
public sealed record FailureCompensation(string Step, string IdempotencyKey, string Outcome, string? Entity, long? Id, IReadOnlyList<LeadRunName>? KeptFor);

/// <summary>A lead run by name; either part is null when the create named none.</summary>
public sealed record LeadRunName(string? LeadId, string? RunId);

/// <summary>Reads and bounds the optional <c>compensations</c> of a lead failure body.</summary>
public static class FailureCompensations
{
    public const string Property = "compensations";

    /// <summary>The compensations, or null when absent, <c>null</c> or empty; a broken list adds one <c>compensations</c> error.</summary>
    public static IReadOnlyList<FailureCompensation>? Read(BodyFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Property(Property) is not { } list)
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > LeadFailureLimits.Compensations)
        {
            fields.Errors.Add(new FieldError(Property, "type", $"must be an array of at most {LeadFailureLimits.Compensations} {{step, idempotencyKey, outcome, entity, id, keptFor}} objects"));
            return null;
        }

        var read = new List<FailureCompensation>();
        foreach (var item in list.EnumerateArray())
        {
            if (ReadOne(item) is not { } compensation)
            {
                fields.Errors.Add(new FieldError(Property, "compensations.item",
                    $"each entry needs a step (at most {LeadFailureLimits.Step} characters), an idempotencyKey (at most {CrmDbContext.MaxIdempotencyKeyLength}) and an outcome (at most {LeadFailureLimits.Outcome}); "
                    + $"entity (at most {CrmDbContext.MaxEntityLength}), id (a number) and keptFor (at most {LeadFailureLimits.KeptFor} {{leadId, runId}}) are optional"));
                return null;
            }

            read.Add(compensation);
        }

        return read.Count == 0 ? null : read;
    }

    private static FailureCompensation? ReadOne(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var step = Bounded(item, "step", LeadFailureLimits.Step);
        var key = Bounded(item, "idempotencyKey", CrmDbContext.MaxIdempotencyKeyLength);
        var outcome = Bounded(item, "outcome", LeadFailureLimits.Outcome);
        var entity = item.TryGetProperty("entity", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        long? id = item.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var number) ? number : null;
        var keptFor = new List<LeadRunName>();
        if (item.TryGetProperty("keptFor", out var runs) && runs.ValueKind == JsonValueKind.Array)
        {
            if (runs.GetArrayLength() > LeadFailureLimits.KeptFor)
            {
                return null;
            }

            foreach (var run in runs.EnumerateArray())
            {
                if (run.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                var leadId = Optional(run, "leadId", CrmDbContext.MaxLeadIdLength, out var leadOk);
                var runId = Optional(run, "runId", CrmDbContext.MaxRunIdLength, out var runOk);
                if (!leadOk || !runOk)
                {
                    return null;
                }

                keptFor.Add(new LeadRunName(leadId, runId));
            }
        }

        return step is null || key is null || outcome is null || entity?.Length > CrmDbContext.MaxEntityLength
            ? null
            : new FailureCompensation(step, key, outcome, entity, id, keptFor.Count == 0 ? null : keptFor);
    }

    private static string? Bounded(JsonElement item, string name, int maxLength) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            && text.Length <= maxLength && !text.Any(char.IsControl)
            ? text
            : null;

    private static string? Optional(JsonElement item, string name, int maxLength, out bool ok)
    {
        ok = true;
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        ok = text is not null && text.Length <= maxLength && !text.Any(char.IsControl);
        return ok ? text : null;
    }
}
