using LeadFlow.Crm.Backend.Health;

namespace LeadFlow.Crm.Backend.Auth;

/// <summary>What a request needs: nothing (health), the read key, the write key, or either key.</summary>
public enum ApiScope
{
    /// <summary>No key: the health probes (and the API description in Development).</summary>
    Open,

    /// <summary><c>Crm__ReadApiKey</c>: reads and RUT lookups, for people and tools.</summary>
    Read,

    /// <summary><c>Crm__ApiKey</c>: creates, compensations, deletes, failure records, for the worker and the step Lambdas.</summary>
    Write,

    /// <summary>Either key: <c>GET /auth/scope</c>, which tells a caller which of the two it holds.</summary>
    Any,
}

/// <summary>
/// The one table of which key a request needs, by method and path: <c>GET</c> reads, <c>POST .../by-rut</c> (a RUT lookup
/// in the body, so the national id travels in no URL) reads, everything else writes. The middleware enforces it and
/// clients (the CLI, the tests) use it to pick their key.
/// </summary>
public static class ApiScopes
{
    /// <summary>The path that answers which scope a key has.</summary>
    public const string ScopePath = "/auth/scope";

    /// <summary>The last path segment of a RUT lookup: <c>POST /clients/by-rut</c>, <c>POST /lead_differences/by-rut</c>, ...</summary>
    public const string LookupSegment = "by-rut";

    private static readonly PathString[] DescriptionPrefixes = ["/openapi", "/scalar"];

    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path.</param>
    /// <param name="descriptionIsOpen">Development: the OpenAPI document and the Scalar page need no key; otherwise the read key.</param>
    public static ApiScope Required(string method, PathString path, bool descriptionIsOpen)
    {
        if (path.StartsWithSegments(HealthEndpoints.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return ApiScope.Open;
        }

        if (DescriptionPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            return descriptionIsOpen ? ApiScope.Open : ApiScope.Read;
        }

        if (path.Equals(ScopePath, StringComparison.OrdinalIgnoreCase))
        {
            return ApiScope.Any;
        }

        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return ApiScope.Read;
        }

        return HttpMethods.IsPost(method) && (path.Value ?? "").TrimEnd('/').EndsWith("/" + LookupSegment, StringComparison.OrdinalIgnoreCase)
            ? ApiScope.Read
            : ApiScope.Write;
    }
}
