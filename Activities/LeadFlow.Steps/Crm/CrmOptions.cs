namespace LeadFlow.Steps.Crm;

/// <summary>Where the CRM backend is and how to call it (configuration section <c>Crm</c>).</summary>
public sealed class CrmOptions
{
    public const string Section = "Crm";

    /// <summary><c>Crm__BaseUrl</c>: the backend's address.</summary>
    public Uri? BaseUrl { get; set; } = new("http://localhost:5080");

    /// <summary><c>Crm__ApiKey</c>: sent as <c>x-api-key</c>. No default: a key must be configured.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary><c>Crm__Timeout</c>: one HTTP call's limit. Retries are the orchestrator's job, not the HTTP client's.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
