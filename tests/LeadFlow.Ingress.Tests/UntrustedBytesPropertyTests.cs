using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using LeadFlow.Crm.Backend.Benefits;
using LeadFlow.Crm.Backend.Clients;
using LeadFlow.Crm.Backend.Http;
using LeadFlow.Crm.Backend.Partners;
using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Http;
using LeadFlow.Leads;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace LeadFlow.Ingress.Tests;

/// <summary>
/// Property-based tests (CsCheck) of every reader of untrusted bytes: the EventBridge envelope reader, the intake's body
/// reader, the lead reader and the backend's lenient body reader never throw anything but their own typed refusal on
/// arbitrary or mutated JSON (so no 5xx), and the workflow's rules and the backend's give the same verdict, field by field,
/// for the same lead. CI runs a fixed-seed subset (a few seconds); <c>LEADFLOW_PROPERTY_ITERATIONS</c> scales each property
/// (e.g. 100000) and <c>LEADFLOW_PROPERTY_SEED</c> replays a CsCheck seed. The SNS readers (an HTTP(S) or SQS delivery,
/// a Lambda's SNS event) get the same property, with envelopes and leads wrapped in SNS and mutated.
/// </summary>
public sealed class UntrustedBytesPropertyTests(ITestOutputHelper output)
{
    private static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("LEADFLOW_PROPERTY_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? n : 5_000;

    /// <summary>A fixed seed for CI (deterministic), unless one is given to replay or the run is scaled up (then random).</summary>
    private static readonly string? Seed = Environment.GetEnvironmentVariable("LEADFLOW_PROPERTY_SEED")
        ?? (Environment.GetEnvironmentVariable("LEADFLOW_PROPERTY_ITERATIONS") is null ? new PCG(17, 20261130).ToString() : null);

    /// <summary>Every reader of untrusted bytes: each returns normally or throws its own typed refusal, nothing else.</summary>
    public static readonly IReadOnlyList<(string Name, Action<byte[]> Read)> Readers =
    [
        ("EventEnvelopeReader", bytes => Refusing<MalformedEnvelopeException>(() => EventEnvelopeReader.Read(bytes))),
        ("IntakeBody", bytes => Refusing<MalformedEnvelopeException>(() => IntakeBody.Read(bytes, new EnvelopeDefaults("crm.leads", "LeadSubmitted"), i => $"e-{i}"))),
        ("LeadReader", bytes => WithJson(bytes, root => LeadReader.TryRead(root, out _, out _))),
        ("Backend body", BackendBody),
        ("BusDelivery (SQS poller)", bytes => Refusing<MalformedEnvelopeException>(() => BusDelivery.Read(bytes))),
        ("BusDelivery (Lambda payload)", bytes => Refusing<MalformedEnvelopeException>(() => BusDelivery.ReadLambdaPayload(bytes))),
        ("HTTP intake (SNS, then the body)", bytes => Refusing<MalformedEnvelopeException>(() => IntakePath(bytes))),
    ];

    private static readonly Gen<string> FieldText = Gen.OneOf(
        Gen.String,
        Gen.Const(""),
        Gen.Const("Alice"),
        Gen.Const("  Zoë O'Hara  "),
        Gen.Char['0', '9'].Array[1, 12].Select(c => new string(c)),
        Gen.Const("11.111.111-1"), Gen.Const("11111111-1"), Gen.Const("111111111"), Gen.Const("15.000.005--K"), Gen.Const("12.345.678-k"), Gen.Const("1-9"),
        Gen.Const("acooper@example.com"), Gen.Const("a..b@example.com"), Gen.Const("a@example.com."), Gen.Const("a@xn--bcher-kva.example"),
        Gen.Const("+56 9 5454 5454"), Gen.Const("(2) 2345-6789"), Gen.Const("12345"),
        Gen.Const("ESTACION_CENTRAL"), Gen.Const("\u0001bell"), Gen.Const(new string('x', 101)), Gen.Const("true"), Gen.Const("0"));

    private static readonly Gen<JsonNode?> FieldValue = Gen.Frequency(
        (6, FieldText.Select(t => (JsonNode?)JsonValue.Create(t))),
        (1, Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(0))),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (1, Gen.Const((JsonNode?)null)),
        (1, Gen.Const<Func<JsonNode?>>(() => new JsonArray(1, "x")).Select(f => f())),
        (1, Gen.Const<Func<JsonNode?>>(() => new JsonObject { ["a"] = 1 }).Select(f => f())));

    private static readonly string[] LeadFields = ["name", "lastname", "rut", "phone", "mail", "store", "branch", "wantsBenefit", "origin"];

    /// <summary>A valid value per field, so that generated leads are often valid and mostly near-valid.</summary>
    private static readonly Dictionary<string, Gen<JsonNode?>> ValidValue = new()
    {
        ["name"] = Gen.OneOf(ConstOf("Alice", "Zoë", "  José Miguel  ")).Select(v => (JsonNode?)JsonValue.Create(v)),
        ["lastname"] = Gen.OneOf(ConstOf("Cooper", "O'Higgins", "Núñez")).Select(v => (JsonNode?)JsonValue.Create(v)),
        ["rut"] = Gen.Int[1, 99_999_999].Select(body => (JsonNode?)JsonValue.Create($"{body}-{Rut.CheckDigit(body.ToString(CultureInfo.InvariantCulture))}")),
        ["phone"] = Gen.OneOf(Gen.Const((JsonNode?)JsonValue.Create("+56 9 5454 5454")), Gen.Long[10_000_000, 999_999_999_999_999].Select(l => (JsonNode?)JsonValue.Create(l))),
        ["mail"] = Gen.OneOf(ConstOf("acooper@example.com", "a.b+c@sub.example.cl", "x@xn--bcher-kva.example")).Select(v => (JsonNode?)JsonValue.Create(v)),
        ["store"] = Gen.OneOf(ConstOf("ESTACION_CENTRAL", "Maipú")).Select(v => (JsonNode?)JsonValue.Create(v)),
        ["branch"] = Gen.OneOf(ConstOf("MAIPU")).Select(v => (JsonNode?)JsonValue.Create(v)),
        ["wantsBenefit"] = Gen.OneOf(Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)), Gen.OneOf(ConstOf("true", "false")).Select(v => (JsonNode?)JsonValue.Create(v)), Gen.Int[0, 1].Select(v => (JsonNode?)JsonValue.Create(v))),
        ["origin"] = Gen.OneOf(ConstOf("web", "app")).Select(v => (JsonNode?)JsonValue.Create(v)),
    };

    /// <summary>One field: mostly valid, else any of many values of any JSON type; mostly present (branch mostly absent).</summary>
    private static Gen<(bool Present, JsonNode? Value)> Field(string name) =>
        Gen.Select(
            Gen.Int[0, 99].Select(p => name == "branch" ? p < 15 : p < 93),
            Gen.Frequency((8, ValidValue[name]), (2, FieldValue)),
            (present, value) => (present, (JsonNode?)value));

    /// <summary>A lead: each field absent, valid, or one of many values (valid and invalid, of any JSON type).</summary>
    private static readonly Gen<string> Lead =
        Gen.Select(Field("name"), Field("lastname"), Field("rut"), Field("phone"), Field("mail"), Field("store"), Field("branch"), Gen.Select(Field("wantsBenefit"), Field("origin")),
            (name, lastname, rut, phone, mail, store, branch, rest) =>
            {
                var lead = new JsonObject();
                foreach (var (field, (present, value)) in LeadFields.Zip(new[] { name, lastname, rut, phone, mail, store, branch, rest.Item1, rest.Item2 }))
                {
                    if (present)
                    {
                        lead[field] = value?.DeepClone();
                    }
                }

                return lead.ToJsonString();
            });

    /// <summary>
    /// An SNS message around an envelope or a bare lead (or around arbitrary text), as an HTTP(S)/SQS delivery or as the
    /// event SNS invokes a Lambda with; types and fields as AWS documents them, sometimes missing or of the wrong type.
    /// </summary>
    private static readonly Gen<byte[]> SnsWrapped =
        Gen.Select(
            Gen.OneOf(Lead.Select(lead => $$"""{"id":"e-1","source":"crm.leads","detail-type":"LeadSubmitted","detail":{{lead}}}"""), Lead, FieldText),
            Gen.OneOf(ConstOf("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation", "", "notification")),
            FieldValue,
            Gen.Int[0, 2],
            (message, type, odd, shape) =>
            {
                var sns = new JsonObject
                {
                    ["Type"] = type,
                    ["MessageId"] = "m-1",
                    ["TopicArn"] = "arn:aws:sns:us-east-1:123456789012:lead-events",
                    ["Message"] = shape == 2 ? odd?.DeepClone() : message,
                    ["Token"] = "t",
                };
                var delivery = shape == 1
                    ? new JsonObject { ["Records"] = new JsonArray(new JsonObject { ["EventSource"] = "aws:sns", ["Sns"] = sns }) }
                    : sns;
                return Encoding.UTF8.GetBytes(delivery.ToJsonString());
            });

    /// <summary>Arbitrary bytes, valid JSON of any shape, an envelope around a generated lead, and any of these mutated byte by byte.</summary>
    private static readonly Gen<byte[]> Untrusted = Gen.Frequency(
        (2, Gen.Byte.Array[0, 400]),
        (2, Lead.Select(Encoding.UTF8.GetBytes)),
        (3, Gen.Select(Lead, FieldText, FieldText, (lead, id, source) =>
            Encoding.UTF8.GetBytes($$"""{"version":"0","id":{{JsonSerializer.Serialize(id)}},"detail-type":"LeadSubmitted","source":{{JsonSerializer.Serialize(source)}},"time":"2026-01-01T12:00:00Z","detail":{{lead}}}"""))),
        (3, Gen.Select(Lead, Gen.Int[0, 10_000], Gen.Byte, Gen.Int[0, 3], (lead, at, value, how) => Mutate(Encoding.UTF8.GetBytes($$"""{"id":"e-1","source":"crm.leads","detail-type":"LeadSubmitted","detail":{{lead}}}"""), at, value, how))),
        (2, SnsWrapped),
        (3, Gen.Select(SnsWrapped, Gen.Int[0, 10_000], Gen.Byte, Gen.Int[0, 3], (sns, at, value, how) => Mutate(sns, at, value, how))));

    [Fact]
    public void EveryReader_OfArbitraryAndMutatedJson_ReturnsOrRefusesWithItsOwnError()
    {
        var checkedCases = 0;
        Untrusted.Sample(
            bytes =>
            {
                foreach (var (name, read) in Readers)
                {
                    try
                    {
                        read(bytes);
                    }
                    catch (Exception e)
                    {
                        throw new InvalidOperationException($"{name} threw {e.GetType().Name} on {Convert.ToBase64String(bytes)}: {e.Message}", e);
                    }
                }

                Interlocked.Increment(ref checkedCases);
            },
            seed: Seed,
            iter: Iterations,
            threads: 1);
        output.WriteLine($"{checkedCases} generated bodies through {Readers.Count} readers (seed {Seed ?? "random"})");
    }

    [Fact]
    public void TheWorkflowsRules_AndTheBackendsRules_GiveTheSameVerdict_FieldByField()
    {
        var valid = 0;
        Lead.Sample(
            json =>
            {
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                var workflowValid = LeadReader.TryRead(root, out _, out var workflowErrors);

                // The backend judges the same lead as the three creates receive it (client, partner, benefit).
                var backendErrors = new List<FieldError>();
                var clientValid = new ClientCreate().TryRead(root, out _, out var clientErrors);
                var partnerValid = new PartnerCreate().TryRead(root, out _, out var partnerErrors);
                var benefitValid = new BenefitCreate().TryRead(root, out _, out var benefitErrors);
                backendErrors.AddRange(clientErrors.Concat(partnerErrors).Concat(benefitErrors));

                // origin is the workflow's only: the backend does not store it.
                var workflowRules = workflowErrors.Where(e => e.Field != "origin").Select(Rule).ToHashSet();
                var backendRules = backendErrors.Select(Rule).ToHashSet();
                var originBroken = workflowErrors.Any(e => e.Field == "origin");
                Assert.True(
                    workflowRules.SetEquals(backendRules),
                    $"{json}\nworkflow: {string.Join("; ", workflowRules.Order())}\nbackend:  {string.Join("; ", backendRules.Order())}");
                Assert.Equal(workflowValid || (originBroken && workflowRules.Count == 0), clientValid && partnerValid && benefitValid);
                if (workflowValid)
                {
                    Interlocked.Increment(ref valid);
                }
            },
            seed: Seed,
            iter: Iterations,
            threads: 1);
        output.WriteLine($"{Iterations} generated leads, {valid} valid by both rule sets (seed {Seed ?? "random"})");
    }

    private static Gen<T>[] ConstOf<T>(params T[] values) => [.. values.Select(Gen.Const)];

    private static string Rule(FieldError error) => $"{(error.Field == "branch" ? "store" : error.Field)}:{error.Rule}";

    private static void BackendBody(byte[] bytes)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        var (body, problem) = JsonRequestBody.ReadAsync(context.Request, 16 * 1024, CancellationToken.None).GetAwaiter().GetResult();
        if (body is null)
        {
            // A refusal is a 4xx problem, never a 5xx.
            Assert.InRange(problem!.StatusCode, 400, 499);
            return;
        }

        using (body)
        {
            new ClientCreate().TryRead(body.Root, out _, out _);
            new PartnerCreate().TryRead(body.Root, out _, out _);
            new BenefitCreate().TryRead(body.Root, out _, out _);
        }
    }

    /// <summary>What <c>POST /events</c> does with the bytes before anything is started: SNS unwrapping, then the body reader and the envelope reader.</summary>
    private static void IntakePath(byte[] bytes)
    {
        var sns = SnsMessage.TryRead(bytes);
        if (sns is { IsNotification: false })
        {
            return;
        }

        var (envelopes, _) = IntakeBody.Read(sns?.MessageBytes() ?? bytes, new EnvelopeDefaults("crm.leads", "LeadSubmitted"), i => $"e-{i}");
        foreach (var envelope in envelopes)
        {
            EventEnvelopeReader.Read(envelope.Envelope);
        }
    }

    private static void WithJson(byte[] bytes, Action<JsonElement> read)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return;
        }

        using (document)
        {
            read(document.RootElement);
        }
    }

    private static void Refusing<TRefusal>(Action read)
        where TRefusal : Exception
    {
        try
        {
            read();
        }
        catch (TRefusal)
        {
            // The reader's own typed refusal: the hosts turn it into a 400 (or a kept message), never a 5xx.
        }
    }

    private static byte[] Mutate(byte[] bytes, int at, byte value, int how)
    {
        if (bytes.Length == 0)
        {
            return bytes;
        }

        var index = at % bytes.Length;
        return how switch
        {
            0 => [.. bytes[..index], value, .. bytes[(index + 1)..]],
            1 => [.. bytes[..index], .. bytes[(index + 1)..]],
            2 => [.. bytes[..index], value, .. bytes[index..]],
            _ => bytes[..index],
        };
    }
}
