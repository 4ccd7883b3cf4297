using System.Globalization;
using System.Text.Json.Nodes;
using LeadFlow.Leads;
using LeadFlow.Workflows;

namespace LeadFlow.Cli.Demo;

/// <summary>A fault the demo's backend answers for one lead, on purpose, to show retries or compensation.</summary>
/// <param name="Path">The create endpoint, e.g. <c>/create_partner</c>.</param>
/// <param name="Times">How many requests fail; <see cref="int.MaxValue"/> = every one.</param>
public sealed record DemoFault(string Path, int Times, int StatusCode, string Explanation);

/// <summary>One sample lead of the demo: what it shows, and the outcome it must reach.</summary>
/// <param name="Label">Its name in the tables.</param>
/// <param name="Shows">What it demonstrates, in words.</param>
/// <param name="ExpectedStep">For a failure: the step it must fail at.</param>
/// <param name="ExpectedUndone">For a compensated failure: how many rows the run must delete again.</param>
/// <param name="Deliveries">How many times its event is sent (2 = a duplicate delivery).</param>
/// <param name="After">The label of the lead it is sent after (once that one finished); null: sent with the first batch.</param>
/// <param name="ExpectedKeptForReview">The fields whose values the CRM must keep for review instead of taking them (its status names them).</param>
public sealed record DemoLead(
    string Label,
    string Shows,
    string EventId,
    string Rut,
    JsonObject Detail,
    LeadOutcome Expected,
    string? ExpectedStep = null,
    int ExpectedUndone = 0,
    int Deliveries = 1,
    DemoFault? Fault = null,
    string? After = null,
    IReadOnlyList<string>? ExpectedKeptForReview = null)
{
    public string WorkflowId => LeadWorkflowIds.ForEvent(EventId);
}

/// <summary>The demo's sample leads. RUTs are new every run, so a kept database or a long-lived Temporal never sees a lead twice.</summary>
public static class DemoLeads
{
    public static IReadOnlyList<DemoLead> Create(string runTag, Random random)
    {
        string NewRut() => ValidRut(random);
        var firstRut = NewRut();
        var secondRut = NewRut();
        var duplicateRut = NewRut();
        var transientRut = NewRut();
        var permanentRut = NewRut();
        var invalid = NewRut();
        // Same body, wrong check digit: the one thing wrong with this lead.
        var invalidRut = invalid[..^1] + (invalid[^1] == '0' ? '1' : '0');
        return
        [
            new("valid (benefit)", "a valid lead that opts into the benefit", EventId(runTag, 1), firstRut,
                Detail("Alice", "Cooper", firstRut, "+56 9 5454 5454", "acooper@example.com", "ESTACION_CENTRAL", true), LeadOutcome.Completed),
            new("valid (no benefit)", "a valid lead without the benefit; phone as a number, store as 'branch'", EventId(runTag, 2), secondRut,
                Detail("Bob", "Dylan", secondRut, 56987654321, "bdylan@example.com", "PROVIDENCIA", false, storeField: "branch"), LeadOutcome.Completed),
            new("duplicate delivery", "the same event delivered twice: one run", EventId(runTag, 3), duplicateRut,
                Detail("Carla", "Bruni", duplicateRut, "+56 2 2222 3333", "cbruni@example.com", "MAIPU", true), LeadOutcome.Completed, Deliveries: 2),
            new("invalid RUT", "a lead whose RUT check digit is wrong: rejected with the reason", EventId(runTag, 4), invalidRut,
                Detail("Diego", "Rivera", invalidRut, "+56 9 1111 2222", "drivera@example.com", "NUNOA", true), LeadOutcome.Rejected, "ReceiveLead"),
            new("transient failure", "the backend is briefly unavailable: the step is retried and the lead completes", EventId(runTag, 5), transientRut,
                Detail("Elena", "Ferrante", transientRut, "+56 9 3333 4444", "eferrante@example.com", "LAS_CONDES", true), LeadOutcome.Completed,
                Fault: new DemoFault("/create_partner", 2, 503, "DEMO FAULT: the demo's own backend answers 503 to the first two POST /create_partner of this lead")),
            new("permanent failure", "the backend refuses the benefit for good: client and partner are deleted again", EventId(runTag, 6), permanentRut,
                Detail("Franz", "Kafka", permanentRut, "+56 9 5555 6666", "fkafka@example.com", "VITACURA", true), LeadOutcome.Failed, "CreateBenefit", ExpectedUndone: 2,
                Fault: new DemoFault("/create_benefit", int.MaxValue, 422, "DEMO FAULT: the demo's own backend refuses (422) every POST /create_benefit of this lead")),
            new("same person again", "Alice sends the form again with a new mail and phone: the stored values are kept, the new ones recorded for review", EventId(runTag, 7), firstRut,
                Detail("Alice", "Cooper", firstRut, "+56 9 8888 1234", "alice.cooper@example.com", "ESTACION_CENTRAL", true), LeadOutcome.Completed,
                After: "valid (benefit)", ExpectedKeptForReview: ["mail", "phone"]),
        ];
    }

    /// <summary>A random RUT with a correct mod-11 check digit, in the dotted form people type.</summary>
    public static string ValidRut(Random random)
    {
        var body = random.Next(10_000_000, 26_000_000).ToString(CultureInfo.InvariantCulture);
        return $"{body[..2]}.{body[2..5]}.{body[5..]}-{Rut.CheckDigit(body)}";
    }

    private static string EventId(string runTag, int number) => $"demo-{runTag}-{number.ToString(CultureInfo.InvariantCulture)}";

    private static JsonObject Detail(string name, string lastname, string rut, JsonNode phone, string mail, string store, bool wantsBenefit, string storeField = "store") => new()
    {
        ["name"] = name,
        ["lastname"] = lastname,
        ["rut"] = rut,
        ["phone"] = phone,
        ["mail"] = mail,
        [storeField] = store,
        ["wantsBenefit"] = wantsBenefit,
        ["origin"] = "demo",
    };
}
