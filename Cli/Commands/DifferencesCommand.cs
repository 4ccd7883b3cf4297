using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LeadFlow.Cli.Http;
using LeadFlow.Ingress.Status;
using LeadFlow.Leads;
using Spectre.Console;

namespace LeadFlow.Cli.Commands;

/// <summary>
/// <c>leadflow differences [--lead &lt;id&gt;] [--rut &lt;rut&gt;]</c>: the values leads brought that differ from the stored
/// rows, kept for review and never applied (<c>GET /lead_differences</c> of the CRM backend), newest first. Personal data
/// is masked as in the logs, with a fingerprint that tells different values apart; the backend route (read key) shows the
/// values to the person who decides. Exit codes: 0 listed (or none recorded), 2 <c>--lead</c> and <c>--rut</c> name
/// different people, 3 the backend refused or is unreachable.
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
            var person = parse.GetValue(rut) is { Length: > 0 } givenRut ? givenRut : null;
            try
            {
                var page = await backend.GetDifferencesAsync(leadId, person, parse.GetValue(limit), cancellationToken);
                if (page.Items.Count == 0 && leadId is not null && person is not null
                    && await backend.GetDifferencesAsync(leadId, null, parse.GetValue(limit), cancellationToken) is { Items: [var ofLead, ..] }
                    && !(Rut.TryNormalize(person, out var normalized, out _) && normalized == ofLead.Rut))
                {
                    // Both filters, and the lead's differences are another person's: "no differences" would be wrong.
                    console.WriteLine($"--lead and --rut match no lead together: {leadId} is a lead of RUT {MaskedValue("rut", ofLead.Rut)}, not {MaskedValue("rut", normalized ?? person)}. Give one filter, or both of the same person.");
                    return 2;
                }

                if (page.Items.Count == 0)
                {
                    var filter = (leadId, person) switch
                    {
                        (null, null) => "",
                        (_, null) => $" for {leadId}",
                        (null, _) => $" for RUT {PersonalData.MaskRut(person)}",
                        _ => $" for {leadId} and RUT {PersonalData.MaskRut(person)}",
                    };
                    console.WriteLine($"No differences recorded at {backend.BaseAddress}{filter}: every lead's values matched the stored rows.");
                    return 0;
                }

                var table = ConsoleTables.Create(console).Title("Differences kept for review (newest first; stored values were kept)");
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
                console.WriteLine($"{page.Items.Count} shown{(page.NextBefore is null ? "" : " (more: raise --limit)")}. Full values: GET /lead_differences?leadId=<lead> or POST /lead_differences/by-rut {{\"rut\":\"...\"}} on the backend (read key). Update the CRM by hand where a person confirms the new value.");
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

    // The fingerprints' key: made when the command starts, never stored or shown, so a fingerprint says nothing outside this listing.
    private static readonly byte[] FingerprintKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>
    /// A stored or submitted value as the CLI may show it: mail, phone and RUT masked as in the logs (<see cref="PersonalData"/>),
    /// a name reduced to its first letter, each followed by a fingerprint (<c>a***@example.com ~3f2a</c>); the rest (store,
    /// wantsBenefit) as it is. Masks alone would show two different mails of one initial and domain the same, so an operator
    /// could not see what differs: the fingerprint (4 hex digits of an HMAC-SHA256 of the value under a key made for this
    /// run) differs for different values and is the same for one value throughout a listing, and reveals nothing of it.
    /// </summary>
    public static string MaskedValue(string field, string value) => field switch
    {
        "mail" => Fingerprinted(PersonalData.MaskMail(value), value),
        "phone" => Fingerprinted(PersonalData.MaskPhone(value), value),
        "rut" => Fingerprinted(PersonalData.MaskRut(value), value),
        "name" or "lastname" => value.Length == 0 ? "" : Fingerprinted($"{value[0]}***", value),
        _ => value,
    };

    private static string Fingerprinted(string masked, string value) =>
        $"{masked} ~{Convert.ToHexStringLower(HMACSHA256.HashData(FingerprintKey, Encoding.UTF8.GetBytes(value)))[..4]}";
}
