using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeadFlow.Crm.Backend.OpenApi;

/// <summary>
/// Turns the live OpenAPI document into the API Gateway import: every operation proxies (http_proxy) to
/// the stage variable <c>CrmBackendBaseUrl</c> + its path, path parameters mapped, keys read from the x-api-key header.
/// The committed export is this function of the live document; a test fails when they drift.
/// </summary>
public static class ApiGatewayExport
{
    public const string CommittedPath = "Crm.Backend/openapi/crm-backend.apigateway.json";
    public const string RegenerateCommand = "dotnet run --project Crm.Backend -- export-openapi " + CommittedPath;
    // A stage variable: AWS::Include inserts the file verbatim, and API Gateway fills stage variables at run time.
    public const string BaseUrlVariable = "${stageVariables.CrmBackendBaseUrl}";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Transform(string liveDocument)
    {
        var document = JsonNode.Parse(liveDocument)!.AsObject();
        // The live document names the server it was fetched from; API Gateway gets its own.
        document.Remove("servers");
        document["x-amazon-apigateway-api-key-source"] = "HEADER";

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(p => p.Value is JsonObject && p.Key != "parameters").ToList())
            {
                var integration = new JsonObject
                {
                    ["type"] = "http_proxy",
                    ["httpMethod"] = method.ToUpperInvariant(),
                    ["uri"] = BaseUrlVariable + path,
                    ["passthroughBehavior"] = "when_no_match",
                };
                var parameters = PathParameters(path);
                if (parameters.Count > 0)
                {
                    var mapping = new JsonObject();
                    foreach (var name in parameters)
                    {
                        mapping[$"integration.request.path.{name}"] = $"method.request.path.{name}";
                    }

                    integration["requestParameters"] = mapping;
                }

                operation!.AsObject()["x-amazon-apigateway-integration"] = integration;
            }
        }

        return document.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>Fetches the live document from a running backend.</summary>
    public static async Task<string> FetchLiveDocumentAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        using var response = await client.GetAsync(new Uri(OpenApiSetup.DocumentPath, UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static List<string> PathParameters(string path) =>
        path.Split('/').Where(s => s.StartsWith('{') && s.EndsWith('}')).Select(s => s[1..^1]).ToList();
}
