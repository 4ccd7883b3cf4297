using System.Globalization;
using System.Text.Json.Nodes;
using LeadFlow.Leads;
using LeadFlow.TestSupport;

namespace LeadFlow.Benchmarks.Chaos;

/// <summary>What one delivery of the chaos run is.</summary>
public enum ChaosLeadKind
{
    /// <summary>A valid lead of a new person.</summary>
    Valid,

    /// <summary>An earlier event sent again (same event id): must start nothing new.</summary>
    Duplicate,

    /// <summary>A lead that breaks the contract's rules (wrong RUT check digit, no mail): its run ends Rejected with a failure record.</summary>
    Invalid,

    /// <summary>Another lead (new event id) of a person who has one already, sent close to it.</summary>
    SamePerson,

    /// <summary>No lead at all (not an envelope): the poller's poison queue takes it.</summary>
    Poison,
}

/// <summary>How a delivery reaches the system.</summary>
public enum ChaosRoute
{
    /// <summary>The SQS intake queue (the bus rule's target), read by the SQS poller.</summary>
    Queue,

    /// <summary><c>POST /events</c> of the HTTP intake, retried by the sender while it answers 503 or is unreachable.</summary>
    Intake,
}

/// <summary>One delivery: the message body and what it is.</summary>
/// <param name="EventId">The envelope's id (for a poison message, an id of the run's own that no workflow carries).</param>
/// <param name="Rut">The lead's RUT as sent (null for a poison message).</param>
public sealed record ChaosDelivery(int Index, ChaosLeadKind Kind, ChaosRoute Route, string EventId, string? Rut, string Body);

/// <summary>
/// The deliveries of a chaos run, drawn from its seed: about 73% valid leads of new people, 10% resends of an earlier
/// event, 5% invalid leads, 12% further leads of a person already sent (two to four close together), one in ten through
/// the HTTP intake, and a few poison messages on the queue. The same seed gives the same deliveries in the same order.
/// </summary>
public static class ChaosLeads
{
    /// <summary>Draws <paramref name="count"/> lead deliveries (duplicates included) plus the poison messages.</summary>
    public static IReadOnlyList<ChaosDelivery> Draw(int count, int seed)
    {
        var random = new Random(seed);
        var deliveries = new List<ChaosDelivery>(count + 8);
        var originals = new List<ChaosDelivery>();
        var ruts = new HashSet<string>(StringComparer.Ordinal);
        var poison = Math.Max(2, count / 400);
        var poisonAt = Enumerable.Range(0, poison).Select(_ => random.Next(count)).ToHashSet();

        string NewRut()
        {
            while (true)
            {
                var body = random.Next(5_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
                var rut = $"{body}-{Rut.CheckDigit(body)}";
                if (ruts.Add(rut))
                {
                    return rut;
                }
            }
        }

        string NewEventId() => new Guid(Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256)).ToArray()).ToString();

        ChaosRoute Route() => random.NextDouble() < 0.10 ? ChaosRoute.Intake : ChaosRoute.Queue;

        void Add(ChaosLeadKind kind, string rut, JsonObject detail)
        {
            var id = NewEventId();
            var body = SampleLeads.Envelope(detail, id).ToJsonString();
            var delivery = new ChaosDelivery(deliveries.Count, kind, Route(), id, rut, body);
            deliveries.Add(delivery);
            originals.Add(delivery);
        }

        var leads = 0;
        while (leads < count)
        {
            if (poisonAt.Remove(leads))
            {
                deliveries.Add(new ChaosDelivery(deliveries.Count, ChaosLeadKind.Poison, ChaosRoute.Queue, NewEventId(), null, "{\"not\":\"an envelope\",\"n\":" + random.Next() + "}"));
            }

            var draw = random.NextDouble();
            if (draw < 0.10 && originals.Count > 0)
            {
                var earlier = originals[random.Next(Math.Max(0, originals.Count - 200), originals.Count)];
                deliveries.Add(earlier with { Index = deliveries.Count, Kind = ChaosLeadKind.Duplicate, Route = Route() });
                leads++;
            }
            else if (draw < 0.15)
            {
                var wrongCheckDigit = random.Next(2) == 0;
                var rut = wrongCheckDigit ? WrongCheckDigit(NewRut()) : NewRut();
                var detail = SampleLeads.Detail(rut);
                if (!wrongCheckDigit)
                {
                    detail.Remove("mail"); // A required field missing.
                }

                Add(ChaosLeadKind.Invalid, rut, detail);
                leads++;
            }
            else if (draw < 0.27)
            {
                var rut = NewRut();
                var group = Math.Min(random.Next(2, 5), count - leads);
                for (var i = 0; i < group; i++)
                {
                    Add(i == 0 ? ChaosLeadKind.Valid : ChaosLeadKind.SamePerson, rut, SampleLeads.Detail(rut));
                    leads++;
                }
            }
            else
            {
                var rut = NewRut();
                Add(ChaosLeadKind.Valid, rut, SampleLeads.Detail(rut));
                leads++;
            }
        }

        return deliveries;
    }

    private static string WrongCheckDigit(string valid) => valid[..^1] + (valid[^1] == '1' ? '2' : '1');
}
