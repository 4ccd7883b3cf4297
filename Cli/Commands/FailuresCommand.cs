using System.CommandLine;
using System.Globalization;
using LeadFlow.Cli.Http;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary><c>leadflow failures</c>: the backend's lead failure log, newest first.</summary>
public static class FailuresCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var lead = new Option<string?>("--lead") { Description = "Only this lead (workflow id lead-<event id>)" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-500)", DefaultValueFactory = _ => 20 };
        var command = new Command("failures", "List the leads that failed or were rejected, with the step and the reason (GET /lead_failures of the CRM backend).")
        {
            lead, limit, common.Backend, common.ApiKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var backend = BackendClient.For(parse.GetRequiredValue(common.Backend), parse.GetRequiredValue(common.ApiKey));
            try
            {
                var page = await backend.GetFailuresAsync(parse.GetValue(lead), parse.GetValue(limit), cancellationToken);
                if (page.Items.Count == 0)
                {
                    console.WriteLine($"No lead failures recorded at {backend.BaseAddress}.");
                    return 0;
                }

                var table = ConsoleTables.Create(console).Title("Lead failures (newest first)");
                table.AddColumn("#").AddColumn("Lead").AddColumn("Step").AddColumn("Reason").AddColumn("Recorded");
                foreach (var failure in page.Items)
                {
                    var reason = failure.Errors.Count > 0 ? string.Join("; ", failure.Errors.Select(e => $"{e.Field}: {e.Message}")) : failure.Reason;
                    table.AddRow(
                        failure.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(failure.LeadId), Markup.Escape(failure.Step), Markup.Escape(reason),
                        failure.RecordedAt.ToString("u", CultureInfo.InvariantCulture));
                }

                console.Write(table);
                console.WriteLine($"{page.Items.Count} shown{(page.NextBefore is null ? "" : " (more: raise --limit)")}. Once the cause is fixed: leadflow redrive <lead>");
                return 0;
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
