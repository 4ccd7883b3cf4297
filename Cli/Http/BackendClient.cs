using System.Globalization;
using System.Net;
using System.Text.Json;
using LeadFlow.Crm.Backend.Compensations;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.LeadDifferences;
using LeadFlow.Crm.Backend.LeadFailures;

namespace LeadFlow.Cli.Http;

/// <summary>
/// The CRM backend as the CLI uses it: the lead failure log, the differences kept for review, rows by RUT, a lead's
/// holds, and the compensation of a create by its Idempotency-Key.
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
        var query = $"lead_differences?limit={limit.ToString(CultureInfo.InvariantCulture)}"
            + (string.IsNullOrEmpty(leadId) ? "" : $"&leadId={Uri.EscapeDataString(leadId)}")
            + (string.IsNullOrEmpty(rut) ? "" : $"&rut={Uri.EscapeDataString(rut)}");
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

    /// <summary>Undoes the create made under <paramref name="idempotencyKey"/> (<c>POST /compensations</c>); every outcome is a 200.</summary>
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
                : throw new ServiceCallException($"The CRM backend answered {(int)response.StatusCode} to GET /{relative}: {IntakeClient.ProblemText(text)}" +
                    (response.StatusCode == HttpStatusCode.Unauthorized ? " (--api-key, Crm__ApiKey)" : ""));
        }
    }

    private ServiceCallException Unreachable(HttpRequestException e) =>
        new($"The CRM backend at {http.BaseAddress} is not reachable ({e.Message}). Is `leadflow up` running? (--backend, LeadFlow__BackendUrl)", e);
}
