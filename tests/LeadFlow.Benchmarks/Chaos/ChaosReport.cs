using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using LeadFlow.Temporal;
using LeadFlow.Workflows;
using Npgsql;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace LeadFlow.Benchmarks.Chaos;

/// <summary>
/// What became of every lead of a chaos run: its workflow's end in Temporal (read from the embedded server directly)
/// and its rows and failure record in the CRM database. A lead is lost when it is neither completed (its run completed
/// and its person has a client, a partner and a benefit) nor recorded as failed (a <c>lead_failures</c> row for its
/// lead id); a row is duplicated when a person has two clients, partners or benefits, or a lead two failure records.
/// </summary>
public sealed class ChaosReport(ChaosSystem system, TemporalClient client, IReadOnlyList<ChaosDelivery> deliveries, HashSet<string> refused, HashSet<string> unaccepted, long intakeRetries)
{
    private static readonly string[] Tables = ["clients", "partners", "benefits", "lead_failures", "row_holds", "compensations", "lead_differences", "idempotency_keys"];

    private readonly ConcurrentDictionary<string, (WorkflowExecutionStatus Status, string? Outcome)> _closed = new();
    private readonly ConcurrentDictionary<string, WorkflowExecutionStatus> _open = new();

    /// <summary>Each lead event once, in the order first sent (duplicates and poison messages left out).</summary>
    private IReadOnlyList<ChaosDelivery> Events { get; } = deliveries.Where(d => d.Kind != ChaosLeadKind.Poison).DistinctBy(d => d.EventId).ToList();

    /// <summary>Waits until every lead the system accepted has a closed run and the intake queue is empty.</summary>
    /// <returns>False when <paramref name="timeout"/> passed first.</returns>
    public async Task<bool> WaitForDrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var lastShown = DateTime.UtcNow;
        while (true)
        {
            var pending = Events.Where(e => !refused.Contains(e.EventId) && !_closed.ContainsKey(e.EventId)).ToList();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (lead, _) => await DescribeAsync(lead.EventId));
            var left = pending.Count(e => !_closed.ContainsKey(e.EventId));
            var queued = (await system.Fauxqs.InspectAsync(system.QueueUrl)).Count;
            if (left == 0 && queued == 0)
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            if (DateTime.UtcNow - lastShown > TimeSpan.FromSeconds(30))
            {
                lastShown = DateTime.UtcNow;
                Console.WriteLine($"  draining: {left} lead(s) not closed ({_open.Count} running), {queued} message(s) in the intake queue");
            }

            await Task.Delay(2000);
        }
    }

    /// <summary>Prints the figures. True when a lead was lost or a row duplicated.</summary>
    public async Task<bool> PrintAsync(TimeSpan drainAfterLastFault, int seed, TimeSpan elapsed)
    {
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        var rows = new Dictionary<string, long>();
        foreach (var table in Tables)
        {
            rows[table] = await ScalarAsync(db, $"SELECT count(*) FROM {table}");
        }

        var clients = await SetAsync(db, "SELECT rut FROM clients");
        var partners = await SetAsync(db, "SELECT rut FROM partners");
        var benefits = await SetAsync(db, "SELECT rut FROM benefits");
        var failures = await SetAsync(db, "SELECT lead_id FROM lead_failures");
        var duplicated = new Dictionary<string, long>
        {
            ["clients per person"] = await ScalarAsync(db, "SELECT count(*) FROM (SELECT rut FROM clients GROUP BY rut HAVING count(*) > 1) d"),
            ["partners per person"] = await ScalarAsync(db, "SELECT count(*) FROM (SELECT rut FROM partners GROUP BY rut HAVING count(*) > 1) d"),
            ["benefits per person"] = await ScalarAsync(db, "SELECT count(*) FROM (SELECT rut FROM benefits GROUP BY rut HAVING count(*) > 1) d"),
            ["failure records per lead"] = await ScalarAsync(db, "SELECT count(*) FROM (SELECT lead_id FROM lead_failures GROUP BY lead_id HAVING count(*) > 1) d"),
        };

        var sent = deliveries.Where(d => d.Kind != ChaosLeadKind.Poison).ToList();
        var outcomes = _closed.Values.GroupBy(c => c.Status == WorkflowExecutionStatus.Completed ? "Completed" : c.Outcome ?? c.Status.ToString()).ToDictionary(g => g.Key, g => g.Count());
        var lost = new List<(ChaosDelivery Lead, string Why)>();
        foreach (var lead in Events.Where(e => !refused.Contains(e.EventId)))
        {
            var leadId = LeadWorkflowIds.ForEvent(lead.EventId);
            var recorded = failures.Contains(leadId);
            if (_closed.TryGetValue(lead.EventId, out var closed) && closed.Status == WorkflowExecutionStatus.Completed)
            {
                if (!(clients.Contains(lead.Rut!) && partners.Contains(lead.Rut!) && benefits.Contains(lead.Rut!)))
                {
                    lost.Add((lead, "completed, but its person lacks a client, partner or benefit row"));
                }
            }
            else if (!recorded)
            {
                lost.Add((lead, _closed.TryGetValue(lead.EventId, out var ended) ? $"run ended {ended.Status} ({ended.Outcome}) without a failure record"
                    : _open.TryGetValue(lead.EventId, out var running) ? $"run still {running}" : "no run started"));
            }
        }

        var completedRuts = Events.Where(e => _closed.TryGetValue(e.EventId, out var c) && c.Status == WorkflowExecutionStatus.Completed).Select(e => e.Rut!).ToHashSet(StringComparer.Ordinal);
        var orphans = clients.Count(rut => !completedRuts.Contains(rut));
        var people = sent.Where(d => d.Kind is ChaosLeadKind.Valid or ChaosLeadKind.SamePerson).GroupBy(d => d.Rut!).ToList();
        var multi = people.Where(p => p.Select(d => d.EventId).Distinct().Count() > 1).ToList();
        var dlq = await system.Fauxqs.InspectAsync(system.DeadLetterQueueUrl);
        var poison = await system.Fauxqs.InspectAsync(system.PoisonQueueUrl);

        Console.WriteLine();
        Console.WriteLine($"seed                         {seed}");
        Console.WriteLine($"leads sent                   {sent.Count} ({sent.Count(d => d.Route == ChaosRoute.Queue)} to the queue, {sent.Count(d => d.Route == ChaosRoute.Intake)} to the intake): {Count(sent, ChaosLeadKind.Valid)} valid, {Count(sent, ChaosLeadKind.SamePerson)} more of a person already sent, {Count(sent, ChaosLeadKind.Duplicate)} resent events, {Count(sent, ChaosLeadKind.Invalid)} invalid");
        Console.WriteLine($"poison messages sent         {deliveries.Count(d => d.Kind == ChaosLeadKind.Poison)}");
        Console.WriteLine($"distinct events              {Events.Count} (intake refused {refused.Count}, never accepted {unaccepted.Count}; intake posts sent again after a 503 or a dropped connection: {intakeRetries})");
        Console.WriteLine($"workflows started            {_closed.Count + _open.Count}");
        Console.WriteLine($"completed / rejected / failed {Get(outcomes, "Completed")} / {Get(outcomes, "Rejected")} / {Get(outcomes, "Failed")}" +
            string.Concat(outcomes.Where(o => o.Key is not ("Completed" or "Rejected" or "Failed")).Select(o => $", {o.Key} {o.Value}")) + (_open.IsEmpty ? "" : $", still running {_open.Count}"));
        Console.WriteLine($"rows per table               {string.Join(", ", rows.Select(r => $"{r.Key} {r.Value}"))}");
        Console.WriteLine($"rows per person              {people.Count} people with valid leads ({multi.Count} with 2-4 leads); " +
            $"clients {clients.Count}, partners {partners.Count}, benefits {benefits.Count}; duplicated: {string.Join(", ", duplicated.Select(d => $"{d.Key} {d.Value}"))}; rows of no completed lead {orphans}");
        Console.WriteLine($"leads lost                   {lost.Count}");
        foreach (var (lead, why) in lost.Take(20))
        {
            Console.WriteLine($"  {LeadWorkflowIds.ForEvent(lead.EventId)} ({lead.Kind}, via {lead.Route}): {why}");
        }

        Console.WriteLine($"dead-lettered                {dlq.Count}" + string.Concat(dlq.Messages.GroupBy(m => m.ReceiveCount).Select(g => $"; {g.Count()} after {g.Key} receives (the queue's redrive policy)")));
        Console.WriteLine($"poison queue                 {poison.Count}" + string.Concat(poison.Messages.GroupBy(m => Shorten(m.Attributes.GetValueOrDefault("LeadFlowPoisonReason") ?? "?")).Select(g => $"; {g.Count()}: {g.Key}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time to drain after last fault {drainAfterLastFault.TotalSeconds:0.0}s"));
        Console.WriteLine($"restarts                     {string.Join(", ", system.Workers.Concat(system.Backends).Append(system.Poller).Where(p => p.Starts > 1).Select(p => $"{p.Name} {p.Starts - 1}"))}; backend connections {system.BackendBalancer.Connections[0]} / {system.BackendBalancer.Connections[1]}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"whole run                    {elapsed.TotalMinutes:0.0} min"));
        var duplicates = duplicated.Values.Sum();
        var bad = lost.Count > 0 || duplicates > 0;
        Console.WriteLine(bad ? $"FAIL: {lost.Count} lead(s) lost, {duplicates} duplicated row group(s)" : "OK: no lead lost, no row duplicated");
        return bad;
    }

    private async Task DescribeAsync(string eventId)
    {
        try
        {
            var description = await client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).DescribeAsync();
            if (description.Status == WorkflowExecutionStatus.Running)
            {
                _open[eventId] = description.Status;
                return;
            }

            description.TypedSearchAttributes.TryGetValue(LeadSearchAttributes.LeadOutcome, out var outcome);
            _open.TryRemove(eventId, out _);
            _closed[eventId] = (description.Status, outcome);
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            // Not started yet.
        }
    }

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "...";

    private static int Count(List<ChaosDelivery> sent, ChaosLeadKind kind) => sent.Count(d => d.Kind == kind);

    private static int Get(Dictionary<string, int> counts, string key) => counts.GetValueOrDefault(key);

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<HashSet<string>> SetAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
