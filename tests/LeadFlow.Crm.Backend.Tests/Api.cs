using System.Net;
using System.Text;
using System.Text.Json;
using LeadFlow.Leads;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary>An answer as a caller sees it: status, media type, body.</summary>
public sealed record Answer(HttpStatusCode Status, string? MediaType, string Text, HttpResponseMessage Response)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    /// <summary>The (field, rule) pairs of a problem detail's <c>errors</c>.</summary>
    public IReadOnlyList<(string Field, string Rule)> Rules =>
        Json.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("field").GetString()!, e.GetProperty("rule").GetString()!)).ToList();
}

public static class Api
{
    public static async Task<Answer> SendAsync(this HttpClient client, HttpMethod method, string path, string? body = null, string? contentType = "application/json", string? idempotencyKey = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        var response = await client.SendAsync(request);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), response);
    }

    public static Task<Answer> PostJsonAsync(this HttpClient client, string path, object body, string? idempotencyKey = null) =>
        client.SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body), idempotencyKey: idempotencyKey);

    public static Task<Answer> ReadAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    /// <summary>The row of a RUT in <paramref name="table"/> (clients, partners, benefits): <c>POST /{table}/by-rut</c>, the RUT in the body.</summary>
    public static Task<Answer> FindByRutAsync(this HttpClient client, string table, string rut) =>
        client.PostJsonAsync($"/{table}/by-rut", new { rut });

    /// <summary>The compensation of the create made under <paramref name="idempotencyKey"/>.</summary>
    public static Task<Answer> UndoAsync(this HttpClient client, string idempotencyKey) =>
        client.PostJsonAsync("/compensations", new { idempotencyKey });

    public static Task<Answer> RemoveAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Delete, path);

    public static object Client(string rut, string name = "Alice", string lastname = "Cooper", string mail = "acooper@example.com", object? phone = null) =>
        new { name, lastname, rut, mail, phone = phone ?? "+56 9 5454 5454" };

    public static async Task<long> CreateClientAsync(this HttpClient client, string rut)
    {
        var answer = await client.PostJsonAsync("/create_client", Client(rut));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Json.GetProperty("id").GetInt64();
    }
}

/// <summary>A lead run as the worker names it in its keys: <c>lead-&lt;event id&gt;:&lt;run id&gt;:&lt;step&gt;</c>.</summary>
public sealed record LeadRunKeys(string LeadId, string RunId)
{
    public const string Client = "CreateClient";
    public const string Partner = "CreatePartner";
    public const string Benefit = "CreateBenefit";

    /// <param name="name">Readable part of the event id, e.g. <c>e1</c>.</param>
    public static LeadRunKeys New(string name) => new($"lead-{name}-{Guid.NewGuid():N}", Guid.NewGuid().ToString("N")[..12]);

    /// <summary>As it appears in a <c>holders</c> list.</summary>
    public (string? LeadId, string? RunId) Holder => (LeadId, RunId);

    public string Key(string step) => $"{LeadId}:{RunId}:{step}";
}

/// <summary>What the tests read from the answers.</summary>
public static class Answers
{
    public static long Id(this Answer answer) => answer.Json.GetProperty("id").GetInt64();

    public static bool Created(this Answer answer) => answer.Json.GetProperty("created").GetBoolean();

    public static string Outcome(this Answer answer) => answer.Json.GetProperty("outcome").GetString()!;

    public static string Message(this Answer answer) => answer.Json.GetProperty("message").GetString()!;

    /// <summary>The (leadId, runId) pairs of a create answer's <c>holders</c> or a compensation's <c>keptFor</c>.</summary>
    public static IReadOnlyList<(string? LeadId, string? RunId)> Holders(this Answer answer, string property = "holders") =>
        answer.Json.GetProperty(property).EnumerateArray().Select(h => (h.GetProperty("leadId").GetString(), h.GetProperty("runId").GetString())).ToList();

    public static IReadOnlyList<string> DifferingFields(this Answer answer) =>
        answer.Json.GetProperty("differingFields").EnumerateArray().Select(f => f.GetString()!).ToList();
}

/// <summary>Valid, distinct RUTs for tests (each test class has its own database, so a process-wide sequence suffices).</summary>
public static class Ruts
{
    private static int next = Random.Shared.Next(10_000_000, 20_000_000);

    public static string Next()
    {
        var body = Interlocked.Increment(ref next).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{body}-{Rut.CheckDigit(body)}";
    }

    /// <summary>The same RUT with dots, as people type it: <c>12.345.678-5</c>.</summary>
    public static string Dotted(string rut)
    {
        var body = rut[..rut.IndexOf('-', StringComparison.Ordinal)];
        return $"{body[..^6]}.{body[^6..^3]}.{body[^3..]}-{rut[^1]}";
    }

    public static string WithWrongCheckDigit(string rut) => rut[..^1] + (rut[^1] == '1' ? '2' : '1');
}
