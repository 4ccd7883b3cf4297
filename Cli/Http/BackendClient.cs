using System.Globalization;
using System.Net;
using System.Text.Json;
using LeadFlow.Crm.Backend.Compensations;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.LeadDifferences;
using LeadFlow.Crm.Backend.LeadFailures;

namespace LeadFlow.Cli.Http;

/// <summary>
/// The CRM backend as the CLI uses it: the lead failure log, the differences kept for review, rows by RUT (the RUT in a
/// body, never a URL), a lead's holds (all with the read key), and the compensation of a create by its Idempotency-Key
/// (the write key).
/// </summary>
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

    /// <summary>Values leads brought that differ from the stored rows, newest first (<c>GET /lead_differences</c>).</summary>
    /// <exception cref="ServiceCallException">The backend refused (e.g. a RUT that is no RUT) or is unreachable.</exception>
    public async Task<LeadDifferencePage> GetDifferencesAsync(string? leadId, string? rut, int limit, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(rut))
        {
            // A RUT never travels in a URL (proxies' access logs): POST /lead_differences/by-rut with it in the body.
            var byRut = await SendAsync(HttpMethod.Post, "lead_differences/by-rut", JsonSerializer.Serialize(new { rut, limit }), cancellationToken) ?? "{}";
            var page = JsonSerializer.Deserialize<LeadDifferencePage>(byRut, IntakeClient.Json) ?? new LeadDifferencePage([], null);
            return string.IsNullOrEmpty(leadId) ? page : page with { Items = [.. page.Items.Where(d => d.LeadId == leadId)] };
        }

        var query = $"lead_differences?limit={limit.ToString(CultureInfo.InvariantCulture)}"
            + (string.IsNullOrEmpty(leadId) ? "" : $"&leadId={Uri.EscapeDataString(leadId)}");
        var text = await GetAsync(query, cancellationToken) ?? "{}";
        return JsonSerializer.Deserialize<LeadDifferencePage>(text, IntakeClient.Json) ?? new LeadDifferencePage([], null);
    }

    /// <summary>The holds the lead's runs took (active and released), newest first (<c>GET /holds</c>).</summary>
    /// <exception cref="ServiceCallException">The backend refused or is unreachable.</exception>
    public async Task<IReadOnlyList<HoldView>> GetHoldsAsync(string leadId, string? runId, CancellationToken cancellationToken)
    {
        var query = $"holds?leadId={Uri.EscapeDataString(leadId)}" + (string.IsNullOrEmpty(runId) ? "" : $"&runId={Uri.EscapeDataString(runId)}");
        var text = await GetAsync(query, cancellationToken) ?? "[]";
        return JsonSerializer.Deserialize<List<HoldView>>(text, IntakeClient.Json) ?? [];
    }

    /// <summary>Undoes the create made under <paramref name="idempotencyKey"/> (<c>POST /compensations</c>, a client with the write key); every outcome is a 200.</summary>
    /// <exception cref="ServiceCallException">The backend refused (409 <c>compensation.order</c>: undo newest first) or is unreachable.</exception>
    public async Task<CompensationAnswer> CompensateAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        using var body = new StringContent(JsonSerializer.Serialize(new CompensationRequest(idempotencyKey), IntakeClient.Json), System.Text.Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(new Uri("compensations", UriKind.Relative), body, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode
                ? JsonSerializer.Deserialize<CompensationAnswer>(text, IntakeClient.Json) ?? throw new ServiceCallException($"The CRM backend answered an empty body to POST /compensations: {text}")
                : throw new ServiceCallException($"The CRM backend answered {(int)response.StatusCode} to POST /compensations for {idempotencyKey}: {IntakeClient.ProblemText(text)}", statusCode: (int)response.StatusCode);
        }
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
            throw Unreachable(e);
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

    private ServiceCallException Unreachable(HttpRequestException e) =>
        new($"The CRM backend at {http.BaseAddress} is not reachable ({e.Message}). Is `leadflow up` running? (--backend, LeadFlow__BackendUrl)", e);
}
