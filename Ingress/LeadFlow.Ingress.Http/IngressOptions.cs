namespace LeadFlow.Ingress.Http;

/// <summary>The HTTP intake (section <c>Ingress</c>).</summary>
public sealed class IngressOptions
{
    public const string Section = "Ingress";

    /// <summary><c>Ingress__ApiKey</c>: when set, <c>POST /events</c> and <c>GET /leads/{id}</c> need it in <c>x-api-key</c>.</summary>
    public string? ApiKey { get; set; }
}
