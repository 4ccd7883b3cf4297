using LeadFlow.Crm.Backend.Auth;
using LeadFlow.Crm.Backend.Health;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace LeadFlow.Crm.Backend.OpenApi;

/// <summary>The live OpenAPI document (<c>/openapi/v1.json</c>), with the <c>x-api-key</c> scheme, and the Scalar page (<c>/scalar</c>).</summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string SecuritySchemeName = "api_key";

    public static IServiceCollection AddCrmOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
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
                Description = "The backend's API key (Crm__ApiKey).",
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
        }));

    public static IEndpointRouteBuilder MapCrmOpenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi(DocumentPath);
        routes.MapScalarApiReference("/scalar", options => options.WithOpenApiRoutePattern(DocumentPath).WithTitle("LeadFlow CRM backend"));
        return routes;
    }
}
