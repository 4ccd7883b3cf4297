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

    [Delete("/clients/{id}")]
    Task DeleteClientAsync(long id, CancellationToken cancellationToken = default);

    [Delete("/partners/{id}")]
    Task DeletePartnerAsync(long id, CancellationToken cancellationToken = default);

    [Delete("/benefits/{id}")]
    Task DeleteBenefitAsync(long id, CancellationToken cancellationToken = default);

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
