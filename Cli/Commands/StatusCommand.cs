using System.CommandLine;
using LeadFlow.Cli.Http;
using LeadFlow.Workflows;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary>
/// <c>leadflow status &lt;leadId&gt;</c>: a lead's run, step and outcome from the intake: its CRM rows, the fields kept for
/// review, and for a failed or cancelled lead the reason and each step's undo (deleted, or kept and for whom).
/// </summary>
public static class StatusCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var leadId = new Argument<string>("leadId") { Description = "The event id, or the workflow id lead-<event id>" };
        var command = new Command("status", "Show a lead's current step, outcome, CRM ids, differences kept for review, or failure reason and undo (GET /leads/<id> of the intake).")
        {
            leadId, common.Intake, common.IntakeApiKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var intake = IntakeClient.For(parse.GetRequiredValue(common.Intake), parse.GetValue(common.IntakeApiKey));
            var id = parse.GetRequiredValue(leadId);
            try
            {
                var view = await intake.GetLeadAsync(id, cancellationToken);
                if (view is null)
                {
                    console.WriteLine($"No lead {id} is known to the intake at {intake.BaseAddress}.");
                    return 1;
                }

                var grid = new Grid().AddColumn().AddColumn();
                void Row(string name, string value) => grid.AddRow(Markup.Escape(name), Markup.Escape(value));
                Row("Workflow", $"{view.WorkflowId} (run {view.RunId})");
                Row("Run status", view.RunStatus);
                if (view.Attention is { } attention)
                {
                    Row("Attention", attention);
                }

                Row("Started", $"{view.StartedAt:u}" + (view.ClosedAt is { } closed ? $", closed {closed:u} ({(closed - view.StartedAt).TotalSeconds:0.0} s)" : ""));
                if (!string.IsNullOrEmpty(view.Explanation))
                {
                    Row("Temporal says", view.Explanation);
                }

                if (view.LeadSource == "history")
                {
                    Row("Status from", $"the run's history ({view.LeadUnavailable ?? "no worker answered"})");
                }
                if (view.Lead is { } lead)
                {
                    Row("Outcome", lead.Outcome.ToString());
                    Row("Current step", lead.CurrentStep);
                    Row("CRM rows", lead.Records.Count == 0 ? "none" : string.Join(", ", lead.Records.Select(r => $"{r.Step} {r.Id}{(r.Created ? "" : " (existed)")}")));
                    if (lead.Records.Where(r => r.DifferingFields is { Count: > 0 }).ToList() is { Count: > 0 } differing)
                    {
                        Row("Kept for review", string.Join("; ", differing.Select(r => $"{r.Step}: {string.Join(", ", r.DifferingFields!)}")) + " (leadflow differences --lead)");
                    }

                    if (lead.Error?.Compensations is { Count: > 0 } compensations)
                    {
                        foreach (var compensation in compensations)
                        {
                            Row($"Undo {compensation.Step}", compensation.Describe());
                        }
                    }
                    else if (lead.Undone.Count > 0)
                    {
                        Row("Undone", string.Join(", ", lead.Undone.Select(r => $"{r.Step} {r.Id}")));
                    }

                    if (lead.Error is { } error)
                    {
                        Row("Failed at", $"{error.FailedStep} ({error.Type})");
                        Row("Reason", error.Message);
                        foreach (var field in error.FieldErrors)
                        {
                            Row($"  {field.Field}", $"{field.Message} ({field.Rule})");
                        }

                        Row("Failure record", error.FailureRecordId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not recorded yet");
                    }
                }
                else
                {
                    Row("Lead", view.LeadUnavailable ?? "no status");
                }

                console.Write(grid);
                return view.Lead?.Outcome is LeadOutcome.Rejected or LeadOutcome.Failed or LeadOutcome.Cancelled ? 1 : 0;
            }
            catch (ServiceCallException e)
            {
                console.WriteLine(e.Message);
                return 3;
            }
        });
        return command;
    }
}
