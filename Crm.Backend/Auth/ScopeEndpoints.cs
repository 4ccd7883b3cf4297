using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadFlow.Crm.Backend.Auth;

/// <summary>Which scope the presented key has: <c>read</c> or <c>write</c>.</summary>
public sealed record ScopeAnswer(string Scope);

/// <summary><c>GET /auth/scope</c>: lets a caller (the worker at start-up) check that it holds the key it needs, without reading any row.</summary>
public static class ScopeEndpoints
{
    public static IEndpointRouteBuilder MapScope(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(ApiScopes.ScopePath, Ok<ScopeAnswer> (HttpContext context) =>
                TypedResults.Ok(new ScopeAnswer(context.Items[typeof(ApiScope)] is ApiScope scope ? scope.ToString().ToLowerInvariant() : "none")))
            .WithName("GetScope").WithTags("Auth")
            .WithSummary("Says whether the x-api-key is the read key or the write key (either is accepted here).");
        return routes;
    }
}
