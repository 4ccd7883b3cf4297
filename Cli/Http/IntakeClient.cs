using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using LeadFlow.Ingress.Http;
using LeadFlow.Ingress.Status;

namespace LeadFlow.Cli.Http;

/// <summary>The HTTP intake as its clients see it: <c>POST /events</c> and <c>GET /leads/{leadId}</c>.</summary>
public sealed class IntakeClient(HttpClient http) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public Uri BaseAddress => http.BaseAddress!;

    public static IntakeClient For(Uri intake, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = WithSlash(intake), Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        return new IntakeClient(http);
    }

    /// <summary>Posts a body as the intake takes it (an envelope, PutEvents entries or a bare lead).</summary>
    /// <exception cref="ServiceCallException">The intake refused the body or is unreachable; the message says why.</exception>
    public async Task<IntakeAnswer> PostEventsAsync(string body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await SendAsync(() => http.PostAsync(new Uri("events", UriKind.Relative), content, cancellationToken));
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new ServiceCallException($"The intake answered {(int)response.StatusCode}: {ProblemText(text)}");
        }

        return JsonSerializer.Deserialize<IntakeAnswer>(text, Json) ?? throw new ServiceCallException($"The intake answered an empty body: {text}");
    }

    /// <returns>Null when the intake knows no such lead.</returns>
    public async Task<LeadStatusView?> GetLeadAsync(string leadId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => http.GetAsync(new Uri($"leads/{Uri.EscapeDataString(leadId)}", UriKind.Relative), cancellationToken));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? JsonSerializer.Deserialize<LeadStatusView>(text, Json)
            : throw new ServiceCallException($"The intake answered {(int)response.StatusCode}: {ProblemText(text)}");
    }

    public void Dispose() => http.Dispose();

    /// <summary>Relative paths resolve under the address only when it ends with a slash.</summary>
    internal static Uri WithSlash(Uri address) => address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");

    /// <summary>A problem detail's title and detail, or the body as it is.</summary>
    public static string ProblemText(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var parts = new[] { Text("title"), Text("detail") }.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
            return parts.Count > 0 ? string.Join(": ", parts) : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException e)
        {
            throw new ServiceCallException($"The intake at {http.BaseAddress} is not reachable ({e.Message}). Is `leadflow up` running? (--intake, LeadFlow__IntakeUrl)", e);
        }
    }
}

/// <summary>A service (the intake, the CRM backend) refused a request or could not be reached.</summary>
/// <param name="statusCode">The refusal's HTTP status; null when the service was not reached.</param>
public sealed class ServiceCallException(string message, Exception? inner = null, int? statusCode = null) : Exception(message, inner)
{
    /// <summary>The refusal's HTTP status; null when the service was not reached.</summary>
    public int? StatusCode { get; } = statusCode;
}
