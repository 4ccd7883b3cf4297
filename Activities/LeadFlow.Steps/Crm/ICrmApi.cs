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
    /// Tells the store about its new member (the optional NotifyBranch step): one notification per client, idempotent by
    /// key and by RUT like the creates, held by the lead run and undone by key through <see cref="CompensateAsync"/>.
    /// 409 when the client does not exist.
    /// </summary>
    [Post("/notify_branch")]
    Task<CrmWriteAnswer> NotifyBranchAsync([Body] NotifyBranchRequest request, [Header("Idempotency-Key")] string idempotencyKey, CancellationToken cancellationToken = default);

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

    /// <summary>
    /// Values leads brought that differ from the stored rows (kept for review), newest first; filter by lead. Read key. By
    /// RUT it is <c>POST /lead_differences/by-rut</c> (the RUT in the body: a RUT never travels in a URL).
    /// </summary>
    [Get("/lead_differences")]
    Task<LeadDifferencePage> GetLeadDifferencesAsync(string? leadId = null, int? limit = null, long? before = null, CancellationToken cancellationToken = default);

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

    /// <summary>The branch notification of a RUT (any spelling), sent in the body. Read key.</summary>
    [Post("/branch_notifications/by-rut")]
    Task<BranchNotificationRecord> FindBranchNotificationByRutAsync([Body] RutLookupRequest request, CancellationToken cancellationToken = default);

    [Get("/benefits/{id}")]
    Task<BenefitRecord> GetBenefitAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The benefit of a RUT (any spelling), sent in the body: a RUT never travels in a URL. Read key.</summary>
    [Post("/benefits/by-rut")]
    Task<BenefitRecord> FindBenefitByRutAsync([Body] RutLookupRequest request, CancellationToken cancellationToken = default);

    /// <summary>Which scope the configured key has (<c>read</c> or <c>write</c>); reads no row, so the worker can check its key at start-up.</summary>
    [Get("/auth/scope")]
    Task<CrmKeyScope> GetKeyScopeAsync(CancellationToken cancellationToken = default);
}
