using System.CommandLine;
using System.Globalization;
using LeadFlow.Cli.Http;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Ingress.Status;
using LeadFlow.Steps;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary>
/// <c>leadflow compensate &lt;leadId&gt; [--run &lt;run&gt;] [--execute]</c>: undoes what a lead run that neither completed nor
/// compensated still holds (a Step Functions execution stopped with <c>StopExecution</c>, which skips every Catch; a
/// terminated Temporal run). It lists the run's holds (<c>GET /holds</c>) and posts <c>POST /compensations</c> for each
/// create step's key, newest first, the step in flight included (its key may hold nothing yet: the undo then refuses a
/// request still on its way). Dry run unless <c>--execute</c>.
/// </summary>
public static class CompensateCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var leadId = new Argument<string>("leadId") { Description = "The event id, or the workflow id lead-<event id>" };
        var run = new Option<string?>("--run")
        {
            Description = "The run to undo: the Step Functions execution name or the Temporal run id (default: the only run of the lead that still holds rows)",
        };
        var execute = new Option<bool>("--execute") { Description = "Post the compensations (without it: show what would be posted and change nothing)" };
        var command = new Command("compensate", "Undo what a stopped lead run still holds (GET /holds, then POST /compensations newest first); a dry run unless --execute. Never for a run that completed or is still running.")
        {
            leadId, run, execute, common.Backend, common.ApiKey, common.WriteKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var backend = BackendClient.For(parse.GetRequiredValue(common.Backend), parse.GetRequiredValue(common.ApiKey));
            var lead = LeadStatusReader.WorkflowIdOf(parse.GetRequiredValue(leadId));
            try
            {
                var holds = await backend.GetHoldsAsync(lead, parse.GetValue(run), cancellationToken);
                var runId = parse.GetValue(run) ?? OnlyHoldingRun(console, lead, holds);
                if (runId is null)
                {
                    return holds.Any(h => h.ReleasedAt is null) ? 1 : 0;
                }

                var plan = Plan(lead, runId, holds.Where(h => h.RunId == runId).ToList());
                ShowPlan(console, lead, runId, plan);
                if (!parse.GetValue(execute))
                {
                    console.WriteLine("Dry run: nothing was changed. Check that this run is stopped for good (a completed run's rows must stay), then run again with --execute.");
                    return 0;
                }

                // The holds are read with the read key; the undo is a write and needs the write key.
                using var writer = BackendClient.For(parse.GetRequiredValue(common.Backend), parse.GetRequiredValue(common.WriteKey));
                return await ExecuteAsync(console, writer, plan, cancellationToken);
            }
            catch (ServiceCallException e)
            {
                console.WriteLine(e.Message);
                return 3;
            }
        });
        return command;
    }

    /// <summary>
    /// The keys to undo, newest first: every create step's key of the run (the saga's order, benefit to client), then any
    /// other key the run still holds a row under (a client of another kind), newest hold first.
    /// </summary>
    public static IReadOnlyList<(string Key, HoldView? Hold)> Plan(string leadId, string runId, IReadOnlyList<HoldView> runHolds)
    {
        ArgumentNullException.ThrowIfNull(runHolds);
        var steps = CreateSteps.All.Reverse().Select(step => IdempotencyKeys.For(leadId, runId, step.Name)).ToList();
        var others = runHolds.Where(h => h.ReleasedAt is null && !steps.Contains(h.IdempotencyKey)).OrderByDescending(h => h.HeldAt).Select(h => h.IdempotencyKey);
        return [.. others.Concat(steps).Select(key => (key, runHolds.FirstOrDefault(h => h.IdempotencyKey == key)))];
    }

    private static string? OnlyHoldingRun(IAnsiConsole console, string leadId, IReadOnlyList<HoldView> holds)
    {
        var runs = holds.Where(h => h.ReleasedAt is null && h.RunId is not null).GroupBy(h => h.RunId!).ToList();
        if (runs.Count == 1)
        {
            return runs[0].Key;
        }

        if (runs.Count == 0)
        {
            console.WriteLine($"No run of {leadId} holds a row: nothing to compensate. A run stopped while its first create was on its way holds nothing yet: give its --run to refuse that create for good.");
            return null;
        }

        console.WriteLine($"{runs.Count} runs of {leadId} hold rows; a completed run's holds must stay. Pick the stopped run with --run:");
        foreach (var holding in runs)
        {
            console.WriteLine($"  {holding.Key}: {string.Join(", ", holding.Select(h => $"{h.Entity} {h.RowId.ToString(CultureInfo.InvariantCulture)}"))} (held since {holding.Min(h => h.HeldAt).ToString("u", CultureInfo.InvariantCulture)})");
        }

        return null;
    }

    private static void ShowPlan(IAnsiConsole console, string leadId, string runId, IReadOnlyList<(string Key, HoldView? Hold)> plan)
    {
        var table = ConsoleTables.Create(console).Title($"Compensations for {Markup.Escape(leadId)} run {Markup.Escape(runId)}, in the order they are posted");
        table.AddColumn("Idempotency-Key").AddColumn("Hold now");
        foreach (var (key, hold) in plan)
        {
            var now = hold switch
            {
                null => "none (nothing written, or a request still on its way: the undo refuses it)",
                { ReleasedAt: { } released } => $"{hold.Entity} {hold.RowId.ToString(CultureInfo.InvariantCulture)}, released {released.ToString("u", CultureInfo.InvariantCulture)}",
                _ => $"{hold.Entity} {hold.RowId.ToString(CultureInfo.InvariantCulture)}{(hold.Created ? ", created by this run" : ", found stored")}",
            };
            table.AddRow(Markup.Escape(key), Markup.Escape(now));
        }

        console.Write(table);
    }

    private static async Task<int> ExecuteAsync(IAnsiConsole console, BackendClient backend, IReadOnlyList<(string Key, HoldView? Hold)> plan, CancellationToken cancellationToken)
    {
        foreach (var (key, _) in plan)
        {
            try
            {
                var answer = await backend.CompensateAsync(key, cancellationToken);
                console.WriteLine($"  {key}: {answer.Outcome}: {answer.Message}");
            }
            catch (ServiceCallException e) when (e.StatusCode is not null)
            {
                // 409 compensation.order: something newer of this run still holds a row hanging off this one.
                console.WriteLine($"  {key}: refused: {e.Message}");
                return 1;
            }
        }

        console.WriteLine("Done: every create of the run is undone (kept rows stay for the lead runs named). A redrive is a new run with new keys.");
        return 0;
    }
}
