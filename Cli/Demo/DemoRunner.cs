using System.Text;
using LeadFlow.Cli.Configuration;
using LeadFlow.Cli.Hosting;
using LeadFlow.Cli.Http;
using LeadFlow.Ingress.Http;
using Spectre.Console;

namespace LeadFlow.Cli.Demo;

/// <summary>
/// <c>leadflow demo</c>: the whole stack in this process, the sample leads through the HTTP intake, live progress,
/// then the tables and a verdict. Exit 0 only when every lead reached the outcome it exists to show.
/// </summary>
public sealed class DemoRunner(IAnsiConsole console, StackSettings settings, LogBuffer logs)
{
    /// <summary>Lets a test change the leads (e.g. expect the wrong outcome) to see the demo fail.</summary>
    public Func<IReadOnlyList<DemoLead>, IReadOnlyList<DemoLead>>? EditLeads { get; init; }

    /// <summary>Keep the stack running after the report until cancelled (Ctrl+C), so the Web UI links stay usable (<c>--stay</c>).</summary>
    public bool Stay { get; init; }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var runTag = DateTime.UtcNow.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..4];
        var leads = DemoLeads.Create(runTag, new Random());
        leads = EditLeads?.Invoke(leads) ?? leads;
        var faults = new DemoFaults();
        foreach (var lead in leads.Where(l => l.Fault is not null))
        {
            faults.Add(lead.Rut, lead.Fault!);
        }

        console.MarkupLine("[bold]LeadFlow demo[/]: leads from the HTTP intake to the CRM, through Temporal.");
        await using var stack = await StackConsole.StartAsync(console, settings, logs, faults.Install, cancellationToken);
        var before = await RowCounts.ReadAsync(stack.BackendServices, cancellationToken);

        console.WriteLine();
        console.WriteLine($"Sending {leads.Count} sample leads to POST {new Uri(stack.IntakeUrl, "events")}:");
        foreach (var lead in leads)
        {
            console.WriteLine($"  - {lead.Label,-20} {lead.Shows}{(lead.After is null ? "" : $" (sent once \"{lead.After}\" finished)")}");
        }

        foreach (var fault in leads.Where(l => l.Fault is not null).Select(l => l.Fault!))
        {
            console.MarkupLine($"[yellow]{Markup.Escape(fault.Explanation)}.[/]");
        }

        using var intake = IntakeClient.For(stack.IntakeUrl, settings.IntakeApiKey);
        var progress = leads.Select(l => new LeadProgress(l)).ToList();
        var first = progress.Where(p => p.Lead.After is null).ToList();
        foreach (var lead in first)
        {
            await DeliverAsync(intake, lead, cancellationToken);
        }

        console.WriteLine();
        console.WriteLine("Watching each lead's current step (workflow status query via GET /leads/<id>):");
        var watcher = new LeadWatcher(console, intake, TimeSpan.FromMilliseconds(250));
        var deadline = DateTime.UtcNow + settings.Run.DemoTimeout;
        var finished = await watcher.WatchAsync(first, settings.Run.DemoTimeout, cancellationToken);

        // Leads that only mean something after another one finished (the same person sending the form again).
        var followers = progress.Where(p => p.Lead.After is not null).ToList();
        if (followers.Count > 0)
        {
            console.WriteLine();
            foreach (var lead in followers)
            {
                console.WriteLine($"Then, after \"{lead.Lead.After}\": {lead.Lead.Label,-20} {lead.Lead.Shows}");
                await DeliverAsync(intake, lead, cancellationToken);
            }

            var left = deadline - DateTime.UtcNow;
            finished &= left > TimeSpan.Zero && await watcher.WatchAsync(followers, left, cancellationToken);
        }

        var after = await RowCounts.ReadAsync(stack.BackendServices, cancellationToken);
        using var backend = BackendClient.For(stack.BackendUrl, settings.ReadApiKey);
        var misses = progress.ToDictionary(p => p, p => DemoChecks.ForLead(p, faults));
        var problems = misses.Values.SelectMany(m => m).ToList();
        problems.AddRange(DemoChecks.ForRows(leads, before, after));
        problems.AddRange(await DemoChecks.ForBackendReadsAsync(progress, backend, cancellationToken));
        if (!finished)
        {
            problems.Insert(0, $"not every lead finished within LeadFlow__DemoTimeout ({settings.Run.DemoTimeout})");
        }

        console.WriteLine();
        DemoReport.ShowLeads(
            console,
            progress,
            misses,
            (workflowId, runId) => stack.Temporal.WorkflowPage(settings.Namespace, workflowId, runId),
            stack.Dashboard is { } dashboard ? dashboard.TracePage : null);
        DemoReport.ShowRows(console, before, after);
        console.WriteLine();
        DemoReport.ShowWhereToLook(console, stack, stillRunning: Stay);
        console.WriteLine();
        var exitCode = Verdict(leads.Count, problems);
        if (Stay)
        {
            await StayUpAsync(cancellationToken);
        }
        else if (stack.Temporal.IsEmbedded && stack.Temporal.WebUiUrl is not null)
        {
            console.WriteLine("The embedded server's runs go when the demo ends: `leadflow demo --stay` keeps everything up to browse them in the Web UI.");
        }

        return exitCode;
    }

    private int Verdict(int leadCount, List<string> problems)
    {
        if (problems.Count == 0)
        {
            console.MarkupLine($"[green]Demo passed:[/] all {leadCount} leads reached their expected outcome.");
            return 0;
        }

        console.MarkupLine($"[red]Demo FAILED:[/] {problems.Count} expectation(s) not met:");
        foreach (var problem in problems)
        {
            console.WriteLine($"  - {problem}");
        }

        StackConsole.ShowRecentLogs(console, logs);
        return 1;
    }

    private async Task StayUpAsync(CancellationToken cancellationToken)
    {
        console.WriteLine("The stack stays up (--stay) so the links above work. Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.WriteLine("Stopping...");
        }
    }

    private static async Task DeliverAsync(IntakeClient intake, LeadProgress lead, CancellationToken cancellationToken)
    {
        // An EventBridge envelope with the demo's own event id: delivering it again is a duplicate, as on the bus.
        var envelope = Encoding.UTF8.GetString(IntakeBody.Wrap(
            lead.Lead.EventId, "crm.leads", "LeadSubmitted", System.Text.Json.JsonSerializer.SerializeToElement(lead.Lead.Detail), time: null, resources: null));
        // One trace per lead: its deliveries (duplicates included), the run they started and all it did.
        using var span = CliTracing.Source.StartActivity($"deliver {lead.Lead.Label}", System.Diagnostics.ActivityKind.Producer);
        // Linked only when the sampler kept the trace (OTEL_TRACES_SAMPLER): a link to a trace never recorded leads nowhere.
        lead.TraceId = span is { Recorded: true } ? span.TraceId.ToHexString() : null;
        for (var delivery = 0; delivery < lead.Lead.Deliveries; delivery++)
        {
            try
            {
                var answer = await intake.PostEventsAsync(envelope, cancellationToken);
                lead.Deliveries.AddRange(answer.Entries);
                if (answer.Errors.Count > 0)
                {
                    lead.DeliveryError = string.Join("; ", answer.Errors.Select(e => $"{e.Field}: {e.Error}"));
                }
            }
            catch (ServiceCallException e)
            {
                lead.DeliveryError = e.Message;
                return;
            }
        }
    }
}
