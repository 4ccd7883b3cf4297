using System.Globalization;
using System.Net;
using System.Text.Json;
using LeadFlow.Crm.Backend.LeadFailures;

namespace LeadFlow.Cli.Http;

/// <summary>The CRM backend's reads the CLI shows, with the read key: the lead failure log and rows by RUT (sent in a body).</summary>
public sealed class BackendClient(HttpClient http) : IDisposable
{
    public Uri BaseAddress => http.BaseAddress!;

    public static BackendClient For(Uri backend, string apiKey)
    {
        var http = new HttpClient { BaseAddress = IntakeClient.WithSlash(backend), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        return new BackendClient(http);
    }

    /// <exception cref="ServiceCallException">The backend refused or is unreachable.</exception>
    public async Task<LeadFailurePage> GetFailuresAsync(string? leadId, int limit, CancellationToken cancellationToken)
    {
        var query = $"lead_failures?limit={limit.ToString(CultureInfo.InvariantCulture)}" + (string.IsNullOrEmpty(leadId) ? "" : $"&leadId={Uri.EscapeDataString(leadId)}");
        var text = await GetAsync(query, cancellationToken) ?? "{}";
        return JsonSerializer.Deserialize<LeadFailurePage>(text, IntakeClient.Json) ?? new LeadFailurePage([], null);
    }


    /// <summary>Whether a row of <paramref name="table"/> (clients, partners, benefits) exists for the RUT: <c>POST /{table}/by-rut</c>, the RUT in the body.</summary>
    /// <exception cref="ServiceCallException">The backend refused or is unreachable.</exception>
    public async Task<bool> ExistsByRutAsync(string table, string rut, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Post, $"{table}/by-rut", JsonSerializer.Serialize(new { rut }), cancellationToken) is not null;

    public void Dispose() => http.Dispose();

    /// <returns>Null on 404.</returns>
    private Task<string?> GetAsync(string relative, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, relative, null, cancellationToken);

    /// <returns>Null on 404.</returns>
    private async Task<string?> SendAsync(HttpMethod method, string relative, string? json, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(relative, UriKind.Relative));
            if (json is not null)
            {
                request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            }

            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ServiceCallException($"The CRM backend at {http.BaseAddress} is not reachable ({e.Message}). Is `leadflow up` running? (--backend, LeadFlow__BackendUrl)", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            return response.IsSuccessStatusCode
                ? text
                : throw new ServiceCallException($"The CRM backend answered {(int)response.StatusCode} to {method} /{relative}: {IntakeClient.ProblemText(text)}" +
                    (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? " (--api-key, Crm__ReadApiKey: the backend's read key)" : ""));
        }
    }
}
