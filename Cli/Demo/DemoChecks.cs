using LeadFlow.Cli.Http;
using LeadFlow.Ingress.Starting;
using LeadFlow.Workflows;

namespace LeadFlow.Cli.Demo;

/// <summary>Whether every demo lead reached the outcome it exists to show; each miss is a sentence a person can act on.</summary>
public static class DemoChecks
{
    public static List<string> ForLead(LeadProgress progress, DemoFaults faults)
    {
        var lead = progress.Lead;
        var misses = new List<string>();
        void Miss(string what) => misses.Add($"{lead.Label}: {what}");

        if (progress.DeliveryError is { } refused)
        {
            Miss($"the intake refused it: {refused}");
            return misses;
        }

        if (!progress.IsFinished)
        {
            Miss($"did not finish in time (last step {progress.CurrentStep}{(progress.Last is { Explanation: { Length: > 0 } why } ? $"; Temporal says: {why}" : "")})");
            return misses;
        }

        var status = progress.Last!.Lead!;
        if (status.Outcome != lead.Expected)
        {
            Miss($"expected {lead.Expected}, got {status.Outcome}{(status.Error is { } e ? $" at {e.FailedStep}: {e.Message}" : "")}");
        }

        if (lead.ExpectedStep is { } step && status.Error?.FailedStep != step)
        {
            Miss($"expected to fail at {step}, failed at {status.Error?.FailedStep ?? "no step"}");
        }

        if (lead.Expected != LeadOutcome.Completed && status.Error is { FailureRecordId: null })
        {
            Miss("its failure was not recorded in the backend's lead_failures");
        }

        var keptForReview = status.Records.SelectMany(r => r.DifferingFields ?? []).ToList();
        if (!keptForReview.SequenceEqual(lead.ExpectedKeptForReview ?? []))
        {
            Miss($"expected the fields kept for review to be [{string.Join(", ", lead.ExpectedKeptForReview ?? [])}], got [{string.Join(", ", keptForReview)}]");
        }

        if (status.Undone.Count != lead.ExpectedUndone)
        {
            Miss($"expected {lead.ExpectedUndone} row(s) undone by the compensation, got {status.Undone.Count}");
        }

        if (lead.Deliveries > 1)
        {
            var runs = progress.Deliveries.Select(d => d.RunId).Distinct().Count();
            var duplicates = progress.Deliveries.Count(d => d.Status == StartStatus.Duplicate);
            if (runs != 1 || duplicates != lead.Deliveries - 1)
            {
                Miss($"{lead.Deliveries} deliveries of one event should start one run, got {runs} run(s) and {duplicates} duplicate answer(s)");
            }
        }

        if (lead.Fault is { Times: < int.MaxValue } fault && faults.InjectedFor(lead.Rut) != fault.Times)
        {
            Miss($"expected {fault.Times} injected {fault.StatusCode} answers to retry through, saw {faults.InjectedFor(lead.Rut)}");
        }

        return misses;
    }

    /// <summary>
    /// The rows the demo must have added: one client, partner and benefit per person with a completed lead (a person's
    /// second lead adds none), one failure record per lead that does not complete.
    /// </summary>
    public static List<string> ForRows(IReadOnlyList<DemoLead> leads, RowCounts before, RowCounts after)
    {
        var completed = leads.Where(l => l.Expected == LeadOutcome.Completed).Select(l => l.Rut).Distinct().Count();
        var failed = leads.Count(l => l.Expected != LeadOutcome.Completed);
        var misses = new List<string>();
        void Check(string table, int was, int now, int expected)
        {
            if (now - was != expected)
            {
                misses.Add($"table {table}: expected {expected} new row(s), got {now - was}");
            }
        }

        Check("clients", before.Clients, after.Clients, completed);
        Check("partners", before.Partners, after.Partners, completed);
        Check("benefits", before.Benefits, after.Benefits, completed);
        Check("lead_failures", before.LeadFailures, after.LeadFailures, failed);
        return misses;
    }

    /// <summary>The backend's own reads agree: a completed lead's client exists by RUT, a compensated lead's client is gone.</summary>
    public static async Task<List<string>> ForBackendReadsAsync(IReadOnlyList<LeadProgress> leads, BackendClient backend, CancellationToken cancellationToken)
    {
        var misses = new List<string>();
        // An invalid RUT cannot be looked up (the backend answers 400): those leads never reach the CRM anyway.
        foreach (var progress in leads.Where(l => Leads.Rut.TryNormalize(l.Lead.Rut, out _, out _)))
        {
            var exists = await backend.ExistsByRutAsync("clients", progress.Lead.Rut, cancellationToken);
            var shouldExist = progress.Lead.Expected == LeadOutcome.Completed;
            if (exists != shouldExist)
            {
                misses.Add($"{progress.Lead.Label}: POST /clients/by-rut finds {(exists ? "a" : "no")} client, expected {(shouldExist ? "one" : "none (compensated)")}");
            }
        }

        return misses;
    }
}
