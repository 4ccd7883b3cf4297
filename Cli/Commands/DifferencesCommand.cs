using System.CommandLine;
using System.Globalization;
using LeadFlow.Cli.Http;
using LeadFlow.Ingress.Status;
using LeadFlow.Leads;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary>
/// <c>leadflow differences [--lead &lt;id&gt;] [--rut &lt;rut&gt;]</c>: the values leads brought that differ from the stored
/// rows, kept for review and never applied (<c>GET /lead_differences</c> of the CRM backend), newest first. Personal data
/// is masked as in the logs; the backend route (API key) shows the values to the person who decides.
/// </summary>
public static class DifferencesCommand
{
    public static Command Create(IAnsiConsole console, CommonOptions common)
    {
        var lead = new Option<string?>("--lead") { Description = "Only this lead (the event id, or the workflow id lead-<event id>)" };
        var rut = new Option<string?>("--rut") { Description = "Only this person (any spelling of the RUT)" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-500)", DefaultValueFactory = _ => 20 };
        var command = new Command("differences", "List the values leads brought that differ from the CRM's stored rows, kept for review (GET /lead_differences of the CRM backend); personal data masked.")
        {
            lead, rut, limit, common.Backend, common.ApiKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var backend = BackendClient.For(parse.GetRequiredValue(common.Backend), parse.GetRequiredValue(common.ApiKey));
            var leadId = parse.GetValue(lead) is { Length: > 0 } given ? LeadStatusReader.WorkflowIdOf(given) : null;
            try
            {
                var page = await backend.GetDifferencesAsync(leadId, parse.GetValue(rut), parse.GetValue(limit), cancellationToken);
                if (page.Items.Count == 0)
                {
                    console.WriteLine($"No differences recorded at {backend.BaseAddress}{(leadId is null ? "" : $" for {leadId}")}: every lead's values matched the stored rows.");
                    return 0;
                }

                var table = new Table().Border(TableBorder.Rounded).Title("Differences kept for review (newest first; stored values were kept)");
                table.AddColumn("#").AddColumn("Lead").AddColumn("Row").AddColumn("RUT").AddColumn("Field").AddColumn("Stored -> submitted").AddColumn("Event time").AddColumn("Note");
                foreach (var difference in page.Items)
                {
                    table.AddRow(
                        difference.Id.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(difference.LeadId ?? "(no lead named)"),
                        Markup.Escape($"{difference.Entity} {difference.RowId.ToString(CultureInfo.InvariantCulture)}"),
                        Markup.Escape(PersonalData.MaskRut(difference.Rut)),
                        Markup.Escape(difference.Field),
                        Markup.Escape($"{MaskedValue(difference.Field, difference.StoredValue)} -> {MaskedValue(difference.Field, difference.SubmittedValue)}"),
                        difference.EventTime?.ToString("u", CultureInfo.InvariantCulture) ?? "-",
                        difference.CompensatedAt is null ? "" : "its run was compensated");
                }

                console.Write(table);
                console.WriteLine($"{page.Items.Count} shown{(page.NextBefore is null ? "" : " (more: raise --limit)")}. Full values: GET /lead_differences on the backend (API key). Update the CRM by hand where a person confirms the new value.");
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

    /// <summary>
    /// A stored or submitted value as the CLI may show it: mail, phone and RUT masked as in the logs (<see cref="PersonalData"/>),
    /// a name reduced to its first letter, the rest (store, wantsBenefit) as it is.
    /// </summary>
    public static string MaskedValue(string field, string value) => field switch
    {
        "mail" => PersonalData.MaskMail(value),
        "phone" => PersonalData.MaskPhone(value),
        "rut" => PersonalData.MaskRut(value),
        "name" or "lastname" => value.Length == 0 ? "" : $"{value[0]}***",
        _ => value,
    };
}
