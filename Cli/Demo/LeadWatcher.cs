using System.Diagnostics;
using LeadFlow.Cli.Http;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LeadFlow.Cli.Demo;

/// <summary>
/// Polls <c>GET /leads/{leadId}</c> (the workflow's status query) for every lead until all are finished or the time is up:
/// a live table on a terminal, one plain line per change otherwise (CI, redirected output).
/// </summary>
public sealed class LeadWatcher(IAnsiConsole console, IntakeClient intake, TimeSpan pollInterval)
{
    /// <returns>True when every lead finished in time.</returns>
    public async Task<bool> WatchAsync(IReadOnlyList<LeadProgress> leads, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (!console.Profile.Capabilities.Interactive)
        {
            return await PollAsync(leads, timeout, cancellationToken, changed =>
            {
                foreach (var lead in changed)
                {
                    console.WriteLine($"  [{clock.Elapsed.TotalSeconds,5:0.0}s] {lead.Lead.Label,-20} {lead.Describe()}");
                }
            });
        }

        var done = false;
        await console.Live(View(leads, clock.Elapsed)).AutoClear(false).StartAsync(async live =>
        {
            done = await PollAsync(leads, timeout, cancellationToken, _ => live.UpdateTarget(View(leads, clock.Elapsed)));
            live.UpdateTarget(View(leads, clock.Elapsed));
        });
        return done;
    }

    private async Task<bool> PollAsync(IReadOnlyList<LeadProgress> leads, TimeSpan timeout, CancellationToken cancellationToken, Action<IReadOnlyList<LeadProgress>> changed)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var moved = new List<LeadProgress>();
                foreach (var lead in leads.Where(l => !l.IsFinished))
                {
                    if (await intake.GetLeadAsync(lead.Lead.EventId, deadline.Token) is { } view && lead.Observe(view))
                    {
                        moved.Add(lead);
                    }
                }

                changed(moved);
                if (leads.All(l => l.IsFinished))
                {
                    return true;
                }

                await Task.Delay(pollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private IRenderable View(IReadOnlyList<LeadProgress> leads, TimeSpan elapsed)
    {
        var table = ConsoleTables.Create(console).Title($"Leads ({elapsed.TotalSeconds:0.0} s)");
        table.AddColumn("Lead").AddColumn("Steps so far").AddColumn("Now");
        foreach (var lead in leads)
        {
            var now = lead.IsFinished
                ? lead.Outcome == Workflows.LeadOutcome.Completed ? $"[green]{Markup.Escape(lead.Describe())}[/]" : $"[yellow]{Markup.Escape(lead.Describe())}[/]"
                : $"[blue]{Markup.Escape(lead.Describe())}[/]";
            table.AddRow(Markup.Escape(lead.Lead.Label), Markup.Escape(string.Join(" > ", lead.Steps)), now);
        }

        return table;
    }
}
