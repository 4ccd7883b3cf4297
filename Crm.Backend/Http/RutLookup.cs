using LeadFlow.Crm.Backend.Auth;
using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;

namespace LeadFlow.Crm.Backend.Http;

/// <summary>
/// The body of a RUT lookup (<c>POST /clients/by-rut</c>, ...): <c>{"rut": "12.345.678-5"}</c>, any spelling. The RUT is a
/// national id: it travels in a body, never in a URL, where access logs, proxies and browser histories keep it.
/// </summary>
/// <param name="Rut">Any spelling of the RUT (dots optional, check digit required).</param>
public sealed record RutLookupRequest(string Rut);

/// <summary>Reads a <see cref="RutLookupRequest"/> leniently (any Content-Type, bounded by <c>Crm__MaxBodyBytes</c>).</summary>
public static class RutLookup
{
    /// <summary>The normalised RUT (<c>12345678-5</c>) and other fields of the body, or the problem to answer (400, 413).</summary>
    public static async Task<(string? Rut, JsonRequestBody? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CrmOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var (body, problem) = await JsonRequestBody.ReadAsync(request, options.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return (null, null, problem);
        }

        if (BodyFields.Of(body.Root, out var shapeErrors) is not { } fields)
        {
            body.Dispose();
            return (null, null, CrmProblems.Validation(shapeErrors));
        }

        var rut = fields.Rut();
        if (fields.Errors.Count > 0)
        {
            body.Dispose();
            return (null, null, CrmProblems.Validation(fields.Errors));
        }

        return (rut, body, null);
    }

    /// <summary>Documents the body in the OpenAPI document (the handler reads it leniently, so routing must not require a Content-Type).</summary>
    public static RouteHandlerBuilder AcceptsRutLookup<TRequest>(this RouteHandlerBuilder builder)
        where TRequest : notnull =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "The RUT in the body, never in the URL. JSON, whatever the Content-Type header says.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(TRequest), null, cancellationToken) },
                },
            };
        });

    /// <summary>The lookup path under a group, e.g. <c>/by-rut</c> (see <see cref="ApiScopes.LookupSegment"/>).</summary>
    public static string Pattern => "/" + ApiScopes.LookupSegment;
}
