using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.LeadDifferences;

/// <summary>One field whose submitted value differs from the stored row's.</summary>
public sealed record FieldDifference(string Field, string Stored, string Submitted);

/// <summary>
/// Records what a create found different from the stored row (<c>lead_differences</c>) and says so in the log with
/// personal data masked. The policy is "keep for review": the stored row is never changed by a later lead, because
/// a lead is an unauthenticated form submission and a changed mail or phone of a known person needs a person's
/// check (anyone can type someone else's RUT); so nothing needs ordering by event time or restoring on undo, and the
/// event time is recorded for the reviewer.
/// </summary>
public static partial class LeadDifferenceLog
{
    /// <summary>The fields of <paramref name="definition"/> whose values differ between the stored row and the command.</summary>
    public static IReadOnlyList<FieldDifference> Compare<TCommand>(IHeldRowCreate<TCommand> definition, TCommand command, IReadOnlyList<string> stored)
        where TCommand : class
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(stored);
        var differences = new List<FieldDifference>();
        for (var i = 0; i < definition.ComparedFields.Count; i++)
        {
            var field = definition.ComparedFields[i];
            var submitted = field.Submitted(command);
            if (!field.Same(stored[i], submitted))
            {
                differences.Add(new FieldDifference(field.Name, stored[i], submitted));
            }
        }

        return differences;
    }

    /// <summary>Inserts one <c>lead_differences</c> row per difference, in one statement, on the create's session.</summary>
    /// <param name="eventTime">When the lead's event happened, if the request said so.</param>
    public static async Task RecordAsync(
        SqlSession sql,
        HeldRowKind kind,
        long rowId,
        string rut,
        LeadRun run,
        string? idempotencyKey,
        DateTimeOffset? eventTime,
        IReadOnlyList<FieldDifference> differences,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(differences);
        string[] fields = [.. differences.Select(d => d.Field)];
        string[] storedValues = [.. differences.Select(d => d.Stored)];
        string[] submittedValues = [.. differences.Select(d => d.Submitted)];
        // Npgsql writes only UTC offsets to timestamptz.
        var utcEventTime = eventTime?.ToUniversalTime();
        await sql.ExecuteAsync(
            $"""
            INSERT INTO lead_differences (lead_id, run_id, idempotency_key, entity, row_id, rut, field, stored_value, submitted_value, event_time)
            SELECT {run.LeadId}::text, {run.RunId}::text, {idempotencyKey}::text, {kind.Entity}, {rowId}, {rut}, d.field, d.stored, d.submitted, {utcEventTime}::timestamptz
            FROM unnest({fields}::text[], {storedValues}::text[], {submittedValues}::text[]) AS d(field, stored, submitted)
            """,
            cancellationToken);
    }

    /// <summary>One warning line per create that found differences; RUT, mail and phone masked, names not shown.</summary>
    public static void Log<TCommand>(ILogger logger, IHeldRowCreate<TCommand> definition, long rowId, string rut, LeadRun run, IReadOnlyList<FieldDifference> differences)
        where TCommand : class
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(differences);
        if (!logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var described = differences.Select(d =>
        {
            var mask = definition.ComparedFields.First(f => f.Name == d.Field).MaskForLog;
            var (stored, submitted) = (mask(d.Stored), mask(d.Submitted));
            return stored == submitted ? $"{d.Field} differs" : $"{d.Field} {stored} -> {submitted}";
        });
        LogDiffers(logger, definition.Kind.Title, rowId, PersonalData.MaskRut(rut), run.LeadId ?? "(no lead named)", run.RunId ?? "-", string.Join("; ", described));
    }

    [LoggerMessage(LogLevel.Warning, "{Entity} {Id} (rut {Rut}) is stored with other values than {LeadId} run {RunId} sent: {Differences}; stored values kept, recorded in lead_differences for review")]
    private static partial void LogDiffers(ILogger logger, string entity, long id, string rut, string leadId, string runId, string differences);
}
