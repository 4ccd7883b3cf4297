using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeadFlow.Crm.Backend.OpenApi;

/// <summary>How API Gateway reaches the backend.</summary>
public enum ApiGatewayConnection
{
    /// <summary>
    /// A private integration (<c>connectionType: VPC_LINK</c>) through the VPC link named by the stage variable
    /// <c>CrmVpcLinkId</c>: API Gateway reaches a Network Load Balancer in the VPC, which reaches the on-premise backend over
    /// VPN or Direct Connect. The default: the backend needs no public address.
    /// </summary>
    VpcLink,

    /// <summary><c>connectionType: INTERNET</c>: the backend has a public address (TLS, allow-listed to API Gateway).</summary>
    Internet,
}

/// <summary>
/// Turns the live OpenAPI document into the API Gateway import: OpenAPI 3.0 (API Gateway imports 2.0 and 3.0 only,
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html), every operation proxies
/// (http_proxy) to the stage variable <c>CrmBackendBaseUrl</c> + its path through the VPC link (or, on request, over the
/// internet), path parameters mapped, keys read from the x-api-key header. The committed export is this function of the
/// live document; a test fails when they drift.
/// </summary>
public static class ApiGatewayExport
{
    /// <summary>The OpenAPI version API Gateway imports (the served document stays 3.1).</summary>
    public const Microsoft.OpenApi.OpenApiSpecVersion OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0;

    /// <summary>The <c>openapi</c> field of the export: the 3.0 release API Gateway's import documentation names.</summary>
    public const string ImportedVersion = "3.0.1";

    /// <summary>The stage variable holding the VPC link's id (<c>connectionId</c> of every private integration).</summary>
    public const string VpcLinkVariable = "${stageVariables.CrmVpcLinkId}";

    public const string CommittedPath = "Crm.Backend/openapi/crm-backend.apigateway.json";
    public const string RegenerateCommand = "dotnet run --project Crm.Backend -- export-openapi " + CommittedPath;

    /// <summary>The name the API Gateway stage gives the VPC link id (<see cref="VpcLinkVariable"/>).</summary>
    public const string VpcLinkStageVariable = "CrmVpcLinkId";
    // A stage variable: AWS::Include inserts the file verbatim, and API Gateway fills stage variables at run time.
    public const string BaseUrlVariable = "${stageVariables.CrmBackendBaseUrl}";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="liveDocument">The backend's OpenAPI document, as JSON.</param>
    /// <param name="connection">How API Gateway reaches the backend.</param>
    public static string Transform(string liveDocument, ApiGatewayConnection connection = ApiGatewayConnection.VpcLink)
    {
        var document = JsonNode.Parse(liveDocument)!.AsObject();
        // The live document names the server it was fetched from; API Gateway gets its own.
        document.Remove("servers");
        // Microsoft.OpenApi writes the newest 3.0 patch (3.0.4); API Gateway documents its import against 3.0.1, and 3.0.x
        // patches change no syntax, so the export names the version API Gateway names.
        document["openapi"] = ImportedVersion;
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
                if (connection == ApiGatewayConnection.VpcLink)
                {
                    integration["connectionType"] = "VPC_LINK";
                    integration["connectionId"] = VpcLinkVariable;
                }
                else
                {
                    integration["connectionType"] = "INTERNET";
                }

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

    /// <summary>Fetches the live document in its OpenAPI 3.0 form (<see cref="OpenApiSetup.ApiGatewayDocumentPath"/>) from a running backend.</summary>
    public static async Task<string> FetchLiveDocumentAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(new Uri(OpenApiSetup.ApiGatewayDocumentPath.TrimStart('/'), UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static List<string> PathParameters(string path) =>
        path.Split('/').Where(s => s.StartsWith('{') && s.EndsWith('}')).Select(s => s[1..^1]).ToList();
}
