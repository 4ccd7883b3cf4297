using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LeadFlow.TestSupport;

namespace LeadFlow.Workflows.Tests.Saga;

/// <summary>A fault one lead's requests to one create path meet: a delay, then possibly a refusal.</summary>
/// <param name="Status">422 (permanent: the lead fails at this step) or 503 (transient: retried), null for a delay only.</param>
/// <param name="Times">How many requests get <paramref name="Status"/>.</param>
public sealed record SagaFault(string Path, int? Status, int Times, TimeSpan Delay);

/// <summary>One lead of a scenario: its event, how often it is delivered, the faults its requests meet, whether it is cancelled.</summary>
/// <param name="Valid">False when a field breaks a rule: the lead must end rejected (or cancelled before ReceiveLead judged it).</param>
/// <param name="Deliveries">1, or 2 for the same event delivered twice.</param>
/// <param name="CancelAfter">When, after its first delivery, the lead is cancelled; null when it is not.</param>
public sealed record SagaLead(int Index, string EventId, JsonObject Detail, DateTimeOffset EventTime, bool Valid, int Deliveries, IReadOnlyList<SagaFault> Faults, TimeSpan? CancelAfter)
{
    public string LeadId => Workflows.LeadWorkflowIds.ForEvent(EventId);

    /// <summary>True when one of its creates is refused for good: the lead cannot complete.</summary>
    public bool FailsForGood => Faults.Any(f => f.Status == 422);

    /// <summary>The envelope as the bus delivers it, with this lead's event time.</summary>
    public string EventJson()
    {
        var envelope = SampleLeads.Envelope(Detail.DeepClone(), EventId);
        envelope["time"] = EventTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return envelope.ToJsonString();
    }
}

/// <summary>
/// K leads of one person (K from 2 to 20), all drawn from one seed: random field values (some invalid), random event
/// times, duplicate deliveries, a random delivery order with random gaps, permanent and transient failures and delays
/// at random steps, and random cancellations. Replaying a seed replays the scenario (the timing of a concurrent run
/// cannot be replayed exactly; the choices are).
/// </summary>
public sealed record SagaScenario(int Seed, string Rut, IReadOnlyList<SagaLead> Leads, IReadOnlyList<(SagaLead Lead, TimeSpan Gap)> Deliveries)
{
    public static readonly string[] CreatePaths = ["/create_client", "/create_partner", "/create_benefit"];

    private static readonly string[] Names = ["Ana", "Ana", "Ana", "Anita"];
    private static readonly string[] Lastnames = ["Perez", "Perez", "Pérez"];
    private static readonly string[] Mails = ["ana.perez@example.com", "ANA.Perez@example.com", "ana.perez@example.com", "new.mail@example.com", "ana@example.org"];
    private static readonly JsonNode[] Phones = ["+56 9 5454 5454", "+56954545454", 56954545454, "+56 9 7777 8888", "(2) 2222 3333"];
    private static readonly string[] Stores = ["ESTACION_CENTRAL", "ESTACION_CENTRAL", "PROVIDENCIA", "MAIPU"];

    /// <param name="rut">The person's RUT: fresh per scenario, so scenarios sharing a database never meet.</param>
    /// <param name="tag">Makes event ids unique per test process (a replayed seed must not find its old workflows).</param>
    public static SagaScenario Generate(int seed, string rut, string tag)
    {
        var random = new Random(seed);
        var count = random.Next(2, 21);
        var leads = new List<SagaLead>();
        for (var i = 0; i < count; i++)
        {
            var detail = new JsonObject
            {
                ["name"] = Pick(random, Names),
                ["lastname"] = Pick(random, Lastnames),
                ["rut"] = random.Next(3) == 0 ? Dotted(rut) : rut,
                ["phone"] = Pick(random, Phones).DeepClone(),
                ["mail"] = Pick(random, Mails),
                ["store"] = Pick(random, Stores),
                ["wantsBenefit"] = random.Next(2) == 0,
                ["origin"] = random.Next(2) == 0 ? "web" : "app",
            };
            var valid = true;
            if (random.NextDouble() < 0.08)
            {
                valid = false;
                detail[random.Next(2) == 0 ? "mail" : "phone"] = random.Next(2) == 0 ? "ana..perez@example.com" : "12";
            }

            var eventTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.Next(0, 86_400));
            var faults = new List<SagaFault>();
            var failing = random.NextDouble() < 0.3 ? Pick(random, CreatePaths) : null;
            var transient = random.NextDouble() < 0.2 ? Pick(random, CreatePaths) : null;
            foreach (var path in CreatePaths)
            {
                var delay = random.NextDouble() < 0.3 ? TimeSpan.FromMilliseconds(random.Next(0, 150)) : TimeSpan.Zero;
                var (status, times) = path == failing ? (422, int.MaxValue) : path == transient ? (503, 1 + random.Next(2)) : ((int?)null, 0);
                if (status is not null || delay > TimeSpan.Zero)
                {
                    faults.Add(new SagaFault(path, status, times, delay));
                }
            }

            var deliveries = random.NextDouble() < 0.25 ? 2 : 1;
            TimeSpan? cancelAfter = random.NextDouble() < 0.1 ? TimeSpan.FromMilliseconds(random.Next(0, 400)) : null;
            leads.Add(new SagaLead(i, $"saga-{seed.ToString(CultureInfo.InvariantCulture)}-{i.ToString(CultureInfo.InvariantCulture)}-{tag}", detail, eventTime, valid, deliveries, faults, cancelAfter));
        }

        var order = leads.SelectMany(l => Enumerable.Repeat(l, l.Deliveries)).OrderBy(_ => random.Next()).Select(l => (l, TimeSpan.FromMilliseconds(random.Next(0, 40)))).ToList();
        return new SagaScenario(seed, rut, leads, order);
    }

    /// <summary>The scenario in a few lines, for a failure message.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"seed {Seed}: {Leads.Count} leads of rut {Rut}, {Deliveries.Count} deliveries in order {string.Join(",", Deliveries.Select(d => d.Lead.Index))}");
        foreach (var lead in Leads)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  #{lead.Index} {lead.LeadId} time {lead.EventTime:HH:mm:ss} {(lead.Valid ? "" : "INVALID ")}{lead.Detail.ToJsonString()}");
            if (lead.Faults.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" faults [{string.Join("; ", lead.Faults.Select(f => $"{f.Path} {f.Status?.ToString(CultureInfo.InvariantCulture) ?? "-"}x{(f.Times == int.MaxValue ? "all" : f.Times.ToString(CultureInfo.InvariantCulture))} +{f.Delay.TotalMilliseconds}ms"))}]");
            }

            if (lead.CancelAfter is { } cancel)
            {
                text.Append(CultureInfo.InvariantCulture, $" cancel after {cancel.TotalMilliseconds}ms");
            }
        }

        return text.ToString();
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    private static string Dotted(string rut)
    {
        var dash = rut.IndexOf('-', StringComparison.Ordinal);
        var body = rut[..dash];
        var groups = new List<string>();
        for (var end = body.Length; end > 0; end -= 3)
        {
            groups.Insert(0, body[Math.Max(0, end - 3)..end]);
        }

        return $"{string.Join(".", groups)}{rut[dash..]}";
    }
}
