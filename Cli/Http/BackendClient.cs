using System.Globalization;
using System.Net;
using System.Text.Json;
using LeadFlow.Crm.Backend.LeadFailures;

namespace LeadFlow.Cli.Http;

/// <summary>The CRM backend's reads the CLI shows: the lead failure log and rows by RUT.</summary>
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

    /// <summary>A failure record's original event, whole (<c>GET /lead_failures/{id}/event</c>): personal data, for redrive only, never printed.</summary>
    /// <returns>The EventBridge envelope as JSON text; null when the record kept none.</returns>
    /// <exception cref="ServiceCallException">The backend refused or is unreachable.</exception>
    public Task<string?> GetFailureEventAsync(long failureId, CancellationToken cancellationToken) =>
        GetAsync($"lead_failures/{failureId.ToString(CultureInfo.InvariantCulture)}/event", cancellationToken);

    /// <summary>Whether a row of <paramref name="table"/> (clients, partners, benefits) exists for the RUT.</summary>
    public async Task<bool> ExistsByRutAsync(string table, string rut, CancellationToken cancellationToken) =>
        await GetAsync($"{table}/by-rut/{Uri.EscapeDataString(rut)}", cancellationToken) is not null;

    public void Dispose() => http.Dispose();

    /// <returns>Null on 404.</returns>
    private async Task<string?> GetAsync(string relative, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri(relative, UriKind.Relative), cancellationToken);
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
                : throw new ServiceCallException($"The CRM backend answered {(int)response.StatusCode} to GET /{relative}: {IntakeClient.ProblemText(text)}" +
                    (response.StatusCode == HttpStatusCode.Unauthorized ? " (--api-key, Crm__ApiKey)" : ""));
        }
    }
}
