using LeadFlow.Crm.Backend.Auth;
using LeadFlow.Crm.Backend.Health;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace LeadFlow.Crm.Backend.OpenApi;

/// <summary>
/// The live OpenAPI document (<c>/openapi/v1.json</c>), with the <c>x-api-key</c> scheme, and the Scalar page (<c>/scalar</c>):
/// open in Development, behind the read key everywhere else (<see cref="ApiScopes"/>).
/// </summary>
public static class OpenApiSetup
{
    /// <summary>The document's name (<c>AddOpenApi</c>'s default).</summary>
    public const string DocumentName = "v1";

    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>The OpenAPI 3.0 form of the same document, the source of the API Gateway export.</summary>
    public const string ApiGatewayDocumentName = "apigateway";

    /// <summary>Where the 3.0 form is served (same access rule as <see cref="DocumentPath"/>).</summary>
    public const string ApiGatewayDocumentPath = "/openapi/apigateway.json";
    public const string SecuritySchemeName = "api_key";

    /// <summary>
    /// Two documents of the same operations: <c>v1</c> (OpenAPI 3.1, what people and tools read) and <c>apigateway</c>
    /// (OpenAPI 3.0, what the API Gateway export is made from: API Gateway imports 2.0 and 3.0 only).
    /// </summary>
    public static IServiceCollection AddCrmOpenApi(this IServiceCollection services) =>
        services
            .AddOpenApi(DocumentName, Describe)
            .AddOpenApi(ApiGatewayDocumentName, options =>
            {
                options.OpenApiVersion = ApiGatewayExport.OpenApiVersion;
                Describe(options);
            });

    private static void Describe(Microsoft.AspNetCore.OpenApi.OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "LeadFlow CRM backend",
                Version = "v1",
                Description = "The legacy CRM's REST facade: idempotent creates of clients, partners and benefits that record which lead runs rely on each row (holds), compensations by Idempotency-Key that never delete a row another lead run relies on, reads, the lead failure log and the log of values leads brought that differ from the stored rows.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                Name = ApiKeyMiddleware.HeaderName,
                In = ParameterLocation.Header,
                Description = "The backend's API keys: the write key (Crm__ApiKey) for creates, compensations, deletes and failure records; the read key (Crm__ReadApiKey) for reads and RUT lookups (POST .../by-rut).",
            };

            foreach (var (path, item) in document.Paths)
            {
                if (path.StartsWith(HealthEndpoints.Prefix, StringComparison.Ordinal) || item.Operations is null)
                {
                    continue;
                }

                foreach (var operation in item.Operations.Values)
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
                }
            }

            return Task.CompletedTask;
        });

    public static IEndpointRouteBuilder MapCrmOpenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi("/openapi/{documentName}.json");
        routes.MapScalarApiReference("/scalar", options => options.WithOpenApiRoutePattern(DocumentPath).WithTitle("LeadFlow CRM backend"));
        return routes;
    }
}
