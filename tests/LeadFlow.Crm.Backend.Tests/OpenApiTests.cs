using System.Net;
using System.Text.Json.Nodes;
using LeadFlow.Crm.Backend.OpenApi;
using LeadFlow.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class OpenApiTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task LiveDocument_DescribesEveryOperationWithTheApiKeyScheme()
    {
        var document = JsonNode.Parse((await http.ReadAsync("/openapi/v1.json")).Text)!;
        var apiGateway = JsonNode.Parse((await http.ReadAsync("/openapi/apigateway.json")).Text)!;

        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("3.0", apiGateway["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var scheme = document["components"]!["securitySchemes"]![OpenApiSetup.SecuritySchemeName]!;
        Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
        Assert.Equal("x-api-key", scheme["name"]!.GetValue<string>());
        Assert.Equal("header", scheme["in"]!.GetValue<string>());
        foreach (var path in new[] { "/create_client", "/create_partner", "/create_benefit", "/lead_failures", "/clients/{id}", "/clients/by-rut", "/partners/{id}", "/benefits/by-rut", "/lead_differences/by-rut", "/compensations", "/holds", "/lead_differences", "/clients/{id}/holders" })
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
        var byId = export["paths"]!["/clients/{id}"]!["get"]!["x-amazon-apigateway-integration"]!;
        Assert.Equal("http_proxy", byId["type"]!.GetValue<string>());
        Assert.Equal("GET", byId["httpMethod"]!.GetValue<string>());
        Assert.Equal("${stageVariables.CrmBackendBaseUrl}/clients/{id}", byId["uri"]!.GetValue<string>());
        Assert.Equal("method.request.path.id", byId["requestParameters"]!["integration.request.path.id"]!.GetValue<string>());
        Assert.Null(export["servers"]);
    }

    [Fact]
    public async Task ApiDescription_OutsideDevelopment_NeedsTheReadKey()
    {
        using var anonymous = new HttpClient { BaseAddress = backend.Host.BaseAddress };
        using var writer = backend.Host.CreateClient(backend.Host.ApiKey);
        using var reader = backend.Host.CreateClient(backend.Host.ReadApiKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.ReadAsync("/openapi/v1.json")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.ReadAsync("/scalar")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.ReadAsync("/openapi/v1.json")).Status);
        Assert.Equal(HttpStatusCode.OK, (await reader.ReadAsync("/openapi/v1.json")).Status);
    }

    [Fact]
    public async Task ApiDescription_InDevelopment_IsOpen()
    {
        await using var development = CrmBackendApp.Build(
            ["--urls", "http://127.0.0.1:0", "--environment", "Development"],
            builder =>
            {
                builder.Configuration["ConnectionStrings:Crm"] = backend.ConnectionString;
                builder.Configuration["Crm:ApiKey"] = CrmBackendHost.DefaultApiKey;
                builder.Configuration["Crm:ReadApiKey"] = CrmBackendHost.DefaultReadApiKey;
            });
        await development.StartAsync();
        var address = development.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        using var anonymous = new HttpClient { BaseAddress = new Uri(address) };

        Assert.Equal(HttpStatusCode.OK, (await anonymous.ReadAsync("/openapi/v1.json")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.ReadAsync("/lead_failures")).Status);
        await development.StopAsync();
    }

    [Fact]
    public async Task NoRut_TravelsInAnyUrl_OfTheDocumentOrTheWorkersClient()
    {
        var document = JsonNode.Parse((await http.ReadAsync("/openapi/v1.json")).Text)!;
        var inUrls = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            if (path.Contains("rut", StringComparison.OrdinalIgnoreCase) && path.Contains('{', StringComparison.Ordinal) && path.Contains("{rut}", StringComparison.OrdinalIgnoreCase))
            {
                inUrls.Add(path);
            }

            foreach (var (method, operation) in item!.AsObject())
            {
                foreach (var parameter in operation?["parameters"]?.AsArray() ?? [])
                {
                    if (parameter!["name"]!.GetValue<string>().Contains("rut", StringComparison.OrdinalIgnoreCase) && parameter["in"]!.GetValue<string>() is "path" or "query")
                    {
                        inUrls.Add($"{method} {path} ({parameter["in"]} {parameter["name"]})");
                    }
                }
            }
        }

        // The worker's Refit contract: no method puts a rut into its path or query string.
        foreach (var method in typeof(LeadFlow.Steps.Crm.ICrmApi).GetMethods())
        {
            var route = method.GetCustomAttributes(inherit: false).OfType<Refit.HttpMethodAttribute>().Single().Path;
            foreach (var parameter in method.GetParameters().Where(p => p.Name!.Contains("rut", StringComparison.OrdinalIgnoreCase)))
            {
                if (route.Contains($"{{{parameter.Name}}}", StringComparison.OrdinalIgnoreCase) || !parameter.GetCustomAttributes(false).OfType<Refit.BodyAttribute>().Any())
                {
                    inUrls.Add($"ICrmApi.{method.Name}({parameter.Name})");
                }
            }
        }

        Assert.Empty(inUrls);
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
