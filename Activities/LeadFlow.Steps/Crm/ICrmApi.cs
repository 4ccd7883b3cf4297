using Refit;

namespace LeadFlow.Steps.Crm;

/// <summary>
/// The CRM backend's contract (Crm.Backend). The API key is added by <see cref="CrmApiKeyHandler"/>;
/// failures surface as <see cref="Steps.CrmPermanentException"/> (4xx) or
/// <see cref="Steps.CrmTransientException"/> (5xx, timeouts, refused connections).
/// </summary>
public interface ICrmApi
{
    [Post("/create_client")]
    Task<CrmWriteAnswer> CreateClientAsync([Body] CreateClientRequest request, [Header("Idempotency-Key")] string idempotencyKey, CancellationToken cancellationToken = default);

    [Post("/create_partner")]
    Task<CrmWriteAnswer> CreatePartnerAsync([Body] CreatePartnerRequest request, [Header("Idempotency-Key")] string idempotencyKey, CancellationToken cancellationToken = default);

    [Post("/create_benefit")]
    Task<CrmWriteAnswer> CreateBenefitAsync([Body] CreateBenefitRequest request, [Header("Idempotency-Key")] string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Undoes the create made under <paramref name="request"/>'s Idempotency-Key (the saga's compensation, one generic
    /// call for the three create steps): releases that lead run's hold, deletes the row only when no lead run relies
    /// on it any more. Every outcome is a 200 (<see cref="CompensationOutcomes"/>); repeating it repeats the answer;
    /// it waits for a create still running under the key, and a create arriving later is refused. 409
    /// <c>compensation.order</c> (a <see cref="Steps.CrmPermanentException"/>) when this run still holds a row that
    /// hangs off this one: undo newest first.
    /// </summary>
    [Post("/compensations")]
    Task<CompensationAnswer> CompensateAsync([Body] CompensationRequest request, CancellationToken cancellationToken = default);

    /// <summary>The holds a lead's runs took (active and released), newest first; <paramref name="runId"/> narrows to one run.</summary>
    [Get("/holds")]
    Task<IReadOnlyList<HoldRecord>> GetHoldsAsync(string leadId, string? runId = null, CancellationToken cancellationToken = default);

    /// <summary>Values leads brought that differ from the stored rows (kept for review), newest first; filter by lead and/or RUT.</summary>
    [Get("/lead_differences")]
    Task<LeadDifferencePage> GetLeadDifferencesAsync(string? leadId = null, string? rut = null, int? limit = null, long? before = null, CancellationToken cancellationToken = default);

    [Post("/lead_failures")]
    Task<CrmWriteAnswer> RecordLeadFailureAsync([Body] LeadFailureRequest request, [Header("Idempotency-Key")] string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Recorded failures, newest first; pass <see cref="LeadFailurePage.NextBefore"/> as <paramref name="before"/> for the next page.</summary>
    [Get("/lead_failures")]
    Task<LeadFailurePage> GetLeadFailuresAsync(string? leadId = null, int? limit = null, long? before = null, CancellationToken cancellationToken = default);

    [Get("/clients/{id}")]
    Task<ClientRecord> GetClientAsync(long id, CancellationToken cancellationToken = default);

    [Get("/clients/by-rut/{rut}")]
    Task<ClientRecord> GetClientByRutAsync(string rut, CancellationToken cancellationToken = default);

    [Get("/partners/{id}")]
    Task<PartnerRecord> GetPartnerAsync(long id, CancellationToken cancellationToken = default);

    [Get("/partners/by-rut/{rut}")]
    Task<PartnerRecord> GetPartnerByRutAsync(string rut, CancellationToken cancellationToken = default);

    [Get("/benefits/{id}")]
    Task<BenefitRecord> GetBenefitAsync(long id, CancellationToken cancellationToken = default);

    [Get("/benefits/by-rut/{rut}")]
    Task<BenefitRecord> GetBenefitByRutAsync(string rut, CancellationToken cancellationToken = default);
}
