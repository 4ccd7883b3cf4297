namespace LeadFlow.Steps.Crm;

/// <summary>The answer of <c>GET /auth/scope</c>: <c>write</c> for the worker's key, <c>read</c> for people's and tools'.</summary>
public sealed record CrmKeyScope(string Scope)
{
    public const string Write = "write";

    public const string Read = "read";
}

/// <summary>The body of a RUT lookup (<c>POST /clients/by-rut</c>, ...): the RUT travels in the body, never in a URL.</summary>
public sealed record RutLookupRequest(string Rut);
