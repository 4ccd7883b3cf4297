using System.Net;
using System.Text.Json.Nodes;
using LeadFlow.Crm.Backend.OpenApi;
using LeadFlow.TestSupport;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class OpenApiTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task LiveDocument_DescribesEveryOperationWithTheApiKeyScheme()
    {
        using var anonymous = new HttpClient { BaseAddress = backend.Host.BaseAddress };
        var document = JsonNode.Parse((await anonymous.ReadAsync("/openapi/v1.json")).Text)!;

        var scheme = document["components"]!["securitySchemes"]![OpenApiSetup.SecuritySchemeName]!;
        Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
        Assert.Equal("x-api-key", scheme["name"]!.GetValue<string>());
        Assert.Equal("header", scheme["in"]!.GetValue<string>());
        foreach (var path in new[] { "/create_client", "/create_partner", "/create_benefit", "/lead_failures", "/clients/{id}", "/clients/by-rut/{rut}", "/partners/{id}", "/benefits/by-rut/{rut}", "/compensations", "/holds", "/lead_differences", "/clients/{id}/holders" })
        {
            Assert.NotNull(document["paths"]![path]);
        }

        var create = document["paths"]!["/create_client"]!["post"]!;
        Assert.NotNull(create["requestBody"]!["content"]!["application/json"]);
        Assert.NotNull(create["responses"]!["200"]);
        Assert.NotNull(create["responses"]!["409"]);
        Assert.NotNull(create["security"]);
        Assert.Equal(["Idempotency-Key", "X-Lead-Id", "X-Run-Id"], create["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.NotNull(document["paths"]!["/compensations"]!["post"]!["requestBody"]!["content"]!["application/json"]);
        Assert.Null(document["paths"]!["/health/live"]!["get"]!["security"]);
    }

    [Fact]
    public async Task ScalarPage_IsServed()
    {
        var answer = await http.ReadAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("text/html", answer.MediaType);
    }

    [Fact]
    public async Task CommittedApiGatewayExport_MatchesTheLiveDocument()
    {
        var committedPath = Path.Combine(RepositoryRoot(), ApiGatewayExport.CommittedPath);
        var generated = ApiGatewayExport.Transform(await ApiGatewayExport.FetchLiveDocumentAsync(http));
        var committed = File.Exists(committedPath) ? (await File.ReadAllTextAsync(committedPath)).ReplaceLineEndings("\n") : "(missing)";

        Assert.True(
            generated == committed,
            $"{ApiGatewayExport.CommittedPath} is out of date with the live OpenAPI document. Regenerate it from the repository root with: {ApiGatewayExport.RegenerateCommand}");
    }

    [Fact]
    public void Export_AddsAnHttpProxyIntegrationPerOperation()
    {
        var export = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), ApiGatewayExport.CommittedPath)))!;

        Assert.Equal("HEADER", export["x-amazon-apigateway-api-key-source"]!.GetValue<string>());
        var byRut = export["paths"]!["/clients/by-rut/{rut}"]!["get"]!["x-amazon-apigateway-integration"]!;
        Assert.Equal("http_proxy", byRut["type"]!.GetValue<string>());
        Assert.Equal("GET", byRut["httpMethod"]!.GetValue<string>());
        Assert.Equal("${stageVariables.CrmBackendBaseUrl}/clients/by-rut/{rut}", byRut["uri"]!.GetValue<string>());
        Assert.Equal("method.request.path.rut", byRut["requestParameters"]!["integration.request.path.rut"]!.GetValue<string>());
        Assert.Null(export["servers"]);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LeadFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("LeadFlow.sln not found above the test's directory.");
    }
}
