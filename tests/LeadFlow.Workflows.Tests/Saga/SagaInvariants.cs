using System.Text.Json.Nodes;
using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.TestSupport;

namespace LeadFlow.Workflows.Tests.Saga;

/// <summary>
/// What must hold after every lead of a scenario ended, whatever the interleaving (issue 11's bar), checked against the
/// backend's own reads: every id a completed lead reported exists; one client, partner and benefit per person at most,
/// one of each when a lead completed and none when none did (nothing left behind); every lead ended completed,
/// rejected, failed or cancelled, with one recorded failure when not completed; a completed run still holds its rows
/// and any other run holds nothing; every value of a completed lead that differs from the stored row is recorded for
/// review, and named in its status.
/// </summary>
public static class SagaInvariants
{
    private static readonly (string Step, string Table)[] Creates =
        [(LeadOnboardingSteps.CreateClient, "clients"), (LeadOnboardingSteps.CreatePartner, "partners"), (LeadOnboardingSteps.CreateBenefit, "benefits")];

    /// <returns>Every violation, one sentence each; empty when the scenario kept every invariant.</returns>
    public static async Task<IReadOnlyList<string>> CheckAsync(SagaScenario scenario, IReadOnlyList<SagaLeadEnd> ends, CrmTestClient crm)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(ends);
        ArgumentNullException.ThrowIfNull(crm);
        var violations = new List<string>();
        void Violation(string what) => violations.Add(what);

        foreach (var end in ends)
        {
            var lead = end.Lead;
            var name = $"lead #{lead.Index} ({lead.LeadId})";
            if (end.Unexpected is { } unexpected)
            {
                Violation($"{name}: {unexpected}");
                continue;
            }

            if (end.Starts != 1 || end.Duplicates != lead.Deliveries - 1)
            {
                Violation($"{name}: {lead.Deliveries} deliveries started {end.Starts} run(s) and were answered duplicate {end.Duplicates} time(s)");
            }

            if (end.Status?.Outcome != end.Outcome)
            {
                Violation($"{name}: the run ended {end.Outcome}, its status query says {end.Status?.Outcome}");
            }

            if (end.Outcome == LeadOutcome.Completed && (!lead.Valid || lead.FailsForGood))
            {
                Violation($"{name}: completed although {(lead.Valid ? "one of its creates is refused for good" : "it is invalid")}");
            }

            if (end.Outcome == LeadOutcome.Rejected && lead.Valid)
            {
                Violation($"{name}: a valid lead was rejected ({end.Status?.Error?.Message})");
            }

            if (end.Outcome != LeadOutcome.Completed)
            {
                var failures = await crm.FailuresOfAsync(lead.LeadId);
                if (failures.Count != 1)
                {
                    Violation($"{name}: ended {end.Outcome} with {failures.Count} recorded failure(s), expected one");
                }
                else if (failures[0].Step != end.Status?.Error?.FailedStep || failures[0].Id != end.Status?.Error?.FailureRecordId)
                {
                    Violation($"{name}: failure record {failures[0].Id} at {failures[0].Step} does not match the status ({end.Status?.Error?.FailedStep}, record {end.Status?.Error?.FailureRecordId})");
                }
            }

            var holds = await crm.ReadApi.GetHoldsAsync(lead.LeadId);
            var active = holds.Count(h => h.ReleasedAt is null);
            var expectedActive = end.Outcome == LeadOutcome.Completed ? Creates.Length : 0;
            if (active != expectedActive)
            {
                Violation($"{name}: ended {end.Outcome} and still holds {active} row(s), expected {expectedActive}: {string.Join(", ", holds.Where(h => h.ReleasedAt is null).Select(h => $"{h.Entity} {h.RowId}"))}");
            }
        }

        var completed = ends.Where(e => e.Outcome == LeadOutcome.Completed).ToList();
        var client = await crm.FindClientAsync(scenario.Rut);
        var partner = await crm.FindPartnerAsync(scenario.Rut);
        var benefit = await crm.FindBenefitAsync(scenario.Rut);
        foreach (var (_, table) in Creates)
        {
            var rows = await crm.RowsAsync(table, scenario.Rut);
            var expected = completed.Count > 0 ? 1 : 0;
            if (rows != expected)
            {
                Violation($"{table}: {rows} row(s) for the person, expected {expected} ({completed.Count} lead(s) completed)");
            }
        }

        foreach (var end in completed)
        {
            var result = end.Result!;
            var name = $"completed lead #{end.Lead.Index} ({end.Lead.LeadId})";
            foreach (var (reported, stored, entity) in new[] { (result.ClientId, client?.Id, "client"), (result.PartnerId, partner?.Id, "partner"), (result.BenefitId, benefit?.Id, "benefit") })
            {
                if (reported != stored)
                {
                    Violation($"{name}: reported {entity} {reported}, the CRM has {(stored is null ? "none" : $"{entity} {stored}")}");
                }
            }

            if (client is not null && partner is not null && benefit is not null)
            {
                await CheckDifferencesAsync(end, Stored(client, partner, benefit), crm, Violation);
            }
        }

        return violations;
    }

    /// <summary>The stored values of the compared fields, per step, as the backend writes them.</summary>
    private static Dictionary<string, Dictionary<string, string>> Stored(ClientRecord client, PartnerRecord partner, BenefitRecord benefit) => new()
    {
        [LeadOnboardingSteps.CreateClient] = new() { ["name"] = client.Name, ["lastname"] = client.Lastname, ["mail"] = client.Mail, ["phone"] = client.Phone },
        [LeadOnboardingSteps.CreatePartner] = new() { ["store"] = partner.Store },
        [LeadOnboardingSteps.CreateBenefit] = new() { ["wantsBenefit"] = benefit.WantsBenefit ? "true" : "false" },
    };

    private static async Task CheckDifferencesAsync(SagaLeadEnd end, Dictionary<string, Dictionary<string, string>> stored, CrmTestClient crm, Action<string> violation)
    {
        var lead = end.Lead;
        var name = $"completed lead #{lead.Index} ({lead.LeadId})";
        var submitted = Submitted(lead.Detail);
        var recorded = (await crm.ReadApi.GetLeadDifferencesAsync(leadId: lead.LeadId, limit: 500)).Items;
        foreach (var (step, _) in Creates)
        {
            var record = end.Result!.Records.Single(r => r.Step == step);
            var differing = stored[step].Where(field => !SameMeaning(field.Key, field.Value, submitted[field.Key])).Select(field => field.Key).ToList();
            if (!differing.SequenceEqual(record.DifferingFields ?? []))
            {
                violation($"{name}: {step} differs in [{string.Join(", ", differing)}] from the stored row, its status says [{string.Join(", ", record.DifferingFields ?? [])}]");
            }

            if (record.Created && differing.Count > 0)
            {
                violation($"{name}: {step} created the row, yet the row's {string.Join(", ", differing)} differ from the lead's");
            }

            foreach (var field in differing)
            {
                var found = recorded.Any(d => d.Field == field && d.RunId == end.RunId && d.SubmittedValue == submitted[field] && d.StoredValue == stored[step][field]
                    && d.EventTime == lead.EventTime && d.CompensatedAt is null);
                if (!found)
                {
                    violation($"{name}: its {field} differs from the stored row, but no difference with its value and event time is recorded (recorded: {string.Join(", ", recorded.Select(d => d.Field))})");
                }
            }
        }
    }

    /// <summary>The lead's values as the backend receives them: text trimmed, a phone sent as a number as its digits.</summary>
    private static Dictionary<string, string> Submitted(JsonObject detail) => new()
    {
        ["name"] = detail["name"]!.ToString().Trim(),
        ["lastname"] = detail["lastname"]!.ToString().Trim(),
        ["mail"] = detail["mail"]!.ToString().Trim(),
        ["phone"] = detail["phone"]!.ToString().Trim(),
        ["store"] = detail["store"]!.ToString().Trim(),
        ["wantsBenefit"] = detail["wantsBenefit"]!.GetValue<bool>() ? "true" : "false",
    };

    /// <summary>The backend's documented sameness: a mail ignoring case, a phone by its digits, the rest exactly.</summary>
    private static bool SameMeaning(string field, string stored, string submitted) => field switch
    {
        "mail" => string.Equals(stored, submitted, StringComparison.OrdinalIgnoreCase),
        "phone" => string.Concat(stored.Where(char.IsAsciiDigit)) == string.Concat(submitted.Where(char.IsAsciiDigit)),
        _ => string.Equals(stored, submitted, StringComparison.Ordinal),
    };
}
