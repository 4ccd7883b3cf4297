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

    /// <summary>The client of a RUT (any spelling), sent in the body: a RUT never travels in a URL. Read key.</summary>
    [Post("/clients/by-rut")]
    Task<ClientRecord> FindClientByRutAsync([Body] RutLookupRequest request, CancellationToken cancellationToken = default);

    [Get("/partners/{id}")]
    Task<PartnerRecord> GetPartnerAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The partner of a RUT (any spelling), sent in the body: a RUT never travels in a URL. Read key.</summary>
    [Post("/partners/by-rut")]
    Task<PartnerRecord> FindPartnerByRutAsync([Body] RutLookupRequest request, CancellationToken cancellationToken = default);

    [Get("/benefits/{id}")]
    Task<BenefitRecord> GetBenefitAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The benefit of a RUT (any spelling), sent in the body: a RUT never travels in a URL. Read key.</summary>
    [Post("/benefits/by-rut")]
    Task<BenefitRecord> FindBenefitByRutAsync([Body] RutLookupRequest request, CancellationToken cancellationToken = default);

    /// <summary>Which scope the configured key has (<c>read</c> or <c>write</c>); reads no row, so the worker can check its key at start-up.</summary>
    [Get("/auth/scope")]
    Task<CrmKeyScope> GetKeyScopeAsync(CancellationToken cancellationToken = default);
}
