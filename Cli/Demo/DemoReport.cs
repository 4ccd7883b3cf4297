using System.Globalization;
using LeadFlow.Cli.Hosting;
using LeadFlow.Ingress.Codec;
using LeadFlow.Workflows;
using Spectre.Console;

namespace LeadFlow.Cli.Demo;

/// <summary>The demo's closing tables: one row per lead, the CRM's rows, and where to look next.</summary>
public static class DemoReport
{
    /// <param name="workflowPage">A lead's page in the Temporal Web UI (workflow id, run id); null when there is no UI.</param>
    /// <param name="tracePage">A trace's page in the Aspire dashboard (trace id), linked from each lead's duration and listed below; null when there is no dashboard.</param>
    public static void ShowLeads(
        IAnsiConsole console,
        IReadOnlyList<LeadProgress> leads,
        IReadOnlyDictionary<LeadProgress, List<string>> misses,
        Func<string, string, Uri?>? workflowPage = null,
        Func<string, Uri>? tracePage = null)
    {
        var table = ConsoleTables.Create(console).Title("Leads");
        table.AddColumn("Lead (id)").AddColumn("Outcome").AddColumn("Ids or reason").AddColumn(new TableColumn("Duration").RightAligned()).AddColumn("As expected");
        foreach (var progress in leads)
        {
            var ok = misses[progress].Count == 0;
            var page = PageOf(progress, workflowPage);
            var cells = new List<string>
            {
                page is null
                    ? Markup.Escape($"{progress.Lead.Label}\n{progress.Lead.EventId}")
                    : $"{Markup.Escape(progress.Lead.Label)}\n[link={Markup.Escape(page.AbsoluteUri)}]{Markup.Escape(progress.Lead.EventId)}[/]",
                Markup.Escape(OutcomeText(progress)),
                Markup.Escape(Detail(progress)),
                // The duration links to the lead's trace (where the time went), without widening the table.
                Linked(progress.Duration is { } duration ? duration.TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture) : "-", progress.TraceId is { } traceId ? tracePage?.Invoke(traceId) : null),
                ok ? "[green]yes[/]" : $"[red]NO[/]",
            };
            table.AddRow([.. cells]);
        }

        console.Write(table);
        var traces = tracePage is null ? [] : leads.Where(progress => progress.TraceId is not null).Select(progress => (progress.Lead.Label, Page: tracePage(progress.TraceId!))).ToList();
        if (traces.Count > 0)
        {
            console.WriteLine("Each lead's trace in the Aspire dashboard (intake, workflow, steps, backend requests, SQL):");
            foreach (var (label, page) in traces)
            {
                console.WriteLine($"  {label,-20} {page}");
            }
        }

        if (tracePage is not null && traces.Count < leads.Count)
        {
            console.WriteLine($"Traces of {leads.Count - traces.Count} of the {leads.Count} leads were not kept by the sampler (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG): no link for them.");
        }

        var pages = leads.Select(progress => (progress.Lead.Label, Page: PageOf(progress, workflowPage))).Where(lead => lead.Page is not null).ToList();
        if (pages.Count > 0)
        {
            // Also as plain text: not every terminal makes the table's links clickable.
            console.WriteLine("Each lead in the Temporal Web UI (history, input, search attributes):");
            foreach (var (label, page) in pages)
            {
                console.WriteLine($"  {label,-20} {page}");
            }
        }
    }

    private static string Linked(string text, Uri? page) =>
        page is null ? Markup.Escape(text) : $"[link={Markup.Escape(page.AbsoluteUri)}]{Markup.Escape(text)}[/]";

    /// <summary>The page of the lead's run (the one its deliveries started or found).</summary>
    private static Uri? PageOf(LeadProgress progress, Func<string, string, Uri?>? workflowPage) =>
        workflowPage is not null && progress.Deliveries.FirstOrDefault(d => d.RunId.Length > 0) is { } delivery
            ? workflowPage(delivery.WorkflowId, delivery.RunId)
            : null;

    public static void ShowRows(IAnsiConsole console, RowCounts before, RowCounts after)
    {
        var table = ConsoleTables.Create(console).Title("CRM rows (backend database)");
        table.AddColumn("Table").AddColumn(new TableColumn("Before").RightAligned()).AddColumn(new TableColumn("Now").RightAligned()).AddColumn(new TableColumn("Added").RightAligned());
        void Row(string name, int was, int now) => table.AddRow(name, Number(was), Number(now), Number(now - was));
        Row("clients", before.Clients, after.Clients);
        Row("partners", before.Partners, after.Partners);
        Row("benefits", before.Benefits, after.Benefits);
        Row("lead_failures", before.LeadFailures, after.LeadFailures);
        console.Write(table);
    }

    public static void ShowWhereToLook(IAnsiConsole console, LocalStack stack, bool stillRunning)
    {
        console.WriteLine("Where to look:");
        var when = stillRunning ? "" : " (while `leadflow up` runs; this demo's stack stops now)";
        console.WriteLine($"  CRM backend OpenAPI page   {new Uri(stack.BackendUrl, "scalar")}{when}");
        console.WriteLine($"  OpenAPI document           {new Uri(stack.BackendUrl, "openapi/v1.json")}");
        console.WriteLine($"  Web form / HTTP intake     {stack.IntakeUrl}  (GET /leads/<event id> for a lead's status)");
        console.WriteLine(stack.Temporal.WorkflowsPage(stack.Settings.Namespace) is { } workflows
            ? $"  Temporal Web UI            {workflows}{(stack.Temporal.WebUiNote is { } note ? $" ({note})" : "")}"
            : $"  Temporal Web UI            {stack.Temporal.WebUiNote ?? "none"} ({stack.Temporal.Source})");
        console.WriteLine(stack.Dashboard is { } dashboard
            ? $"  Aspire dashboard           {dashboard.Url}  (traces, metrics and logs of every part; one trace per lead the sampler keeps)"
            : $"  Traces, metrics, logs      {(stack.OtlpEndpoint is { } otlp ? $"sent to {otlp}" : "off (no dashboard)")}");
        console.WriteLine($"  Filter in the Web UI       LeadOutcome=\"Rejected\", LeadOutcome=\"Failed\", LeadStep=\"CreateBenefit\" AND ExecutionStatus=\"Running\"");
        if (stillRunning && stack.Temporal.WebUiUrl is not null)
        {
            // Payloads are encrypted: the UI shows them through the codec server, to a browser signed in once.
            console.WriteLine($"  Decrypted payloads in it   open once, in the browser of the Web UI: {stack.CodecSignInLink}");
            console.WriteLine($"                             (codec server {stack.CodecUrl}; the link works once, for {CodecCallers.SignInCodeLifetime.TotalMinutes:0} min)");
        }

        console.WriteLine("  Failed leads               leadflow failures   (then: leadflow redrive <lead id> once the cause is fixed)");
        console.WriteLine("  Values kept for review     leadflow differences   (a person decides whether the CRM takes them)");
    }

    private static string OutcomeText(LeadProgress progress)
    {
        if (progress.DeliveryError is not null)
        {
            return "not delivered";
        }

        var outcome = progress.Outcome?.ToString() ?? "unfinished";
        if (progress.Lead.Deliveries > 1)
        {
            var duplicates = progress.Deliveries.Count(d => d.Status == Ingress.Starting.StartStatus.Duplicate);
            outcome += $" ({progress.Deliveries.Count} deliveries, {duplicates} duplicate, 1 run)";
        }

        return outcome;
    }

    private static string Detail(LeadProgress progress)
    {
        if (progress.DeliveryError is { } refused)
        {
            return refused;
        }

        var status = progress.Last?.Lead;
        if (status is null)
        {
            return progress.Last?.LeadUnavailable ?? "no status yet";
        }

        if (status.Outcome == LeadOutcome.Completed)
        {
            var ids = string.Join(", ", status.Records.Select(r => $"{ShortStep(r.Step)} {r.Id}{(r.Created ? "" : " (existed)")}"));
            var differing = status.Records.SelectMany(r => r.DifferingFields ?? []).ToList();
            if (differing.Count > 0)
            {
                ids += $"; kept for review: {string.Join(", ", differing)}";
            }

            return progress.Lead.Fault is { } fault ? $"{ids}; retried through {fault.Times}x {fault.StatusCode} (demo fault)" : ids;
        }

        if (status.Error is { } error)
        {
            var reason = error.FieldErrors.Count > 0 ? string.Join("; ", error.FieldErrors.Select(f => $"{f.Field}: {f.Message}")) : error.Message;
            var undone = status.Undone.Count > 0 ? $"; undone: {string.Join(", ", status.Undone.Select(r => $"{ShortStep(r.Step)} {r.Id}"))}" : "";
            var record = error.FailureRecordId is { } id ? $"; failure #{id}" : "";
            return $"{error.FailedStep} ({error.Type}): {reason}{undone}{record}";
        }

        return status.CurrentStep;
    }

    private static string ShortStep(string step) => step.StartsWith("Create", StringComparison.Ordinal) ? step["Create".Length..].ToLowerInvariant() : step;

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
