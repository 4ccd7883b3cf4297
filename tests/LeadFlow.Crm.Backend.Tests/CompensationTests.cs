using System.Net;
using LeadFlow.TestSupport;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class CompensationTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Theory]
    [InlineData("/create_partner", """{"rut":"{0}","store":"CENTRO"}""")]
    [InlineData("/create_benefit", """{"rut":"{0}","wantsBenefit":true}""")]
    public async Task PartnerOrBenefitForUnknownClient_Is409(string path, string template)
    {
        var answer = await http.SendAsync(HttpMethod.Post, path, template.Replace("{0}", Ruts.Next(), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Contains(("rut", "client.exists"), answer.Rules);
    }

    [Fact]
    public async Task ClientWithDependants_CanOnlyBeDeletedAfterThem()
    {
        var rut = Ruts.Next();
        var clientId = await http.CreateClientAsync(rut);
        var partnerId = (await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" })).Json.GetProperty("id").GetInt64();
        var benefitId = (await http.PostJsonAsync("/create_benefit", new { rut, wantsBenefit = true })).Json.GetProperty("id").GetInt64();

        var refused = await http.RemoveAsync($"/clients/{clientId}");
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains(("id", "client.hasDependants"), refused.Rules);
        Assert.Contains($"partner {partnerId}", refused.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains($"benefit {benefitId}", refused.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.True((await http.RemoveAsync($"/benefits/{benefitId}")).Json.GetProperty("deleted").GetBoolean());
        Assert.True((await http.RemoveAsync($"/partners/{partnerId}")).Json.GetProperty("deleted").GetBoolean());
        var deleted = await http.RemoveAsync($"/clients/{clientId}");

        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.True(deleted.Json.GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await http.ReadAsync($"/clients/{clientId}")).Status);
    }

    [Theory]
    [InlineData("clients")]
    [InlineData("partners")]
    [InlineData("benefits")]
    public async Task DeletingTwice_SucceedsAndSaysNothingWasThere(string rows)
    {
        var rut = Ruts.Next();
        var clientId = await http.CreateClientAsync(rut);
        var id = rows switch
        {
            "partners" => (await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" })).Json.GetProperty("id").GetInt64(),
            "benefits" => (await http.PostJsonAsync("/create_benefit", new { rut, wantsBenefit = true })).Json.GetProperty("id").GetInt64(),
            _ => clientId,
        };

        var first = await http.RemoveAsync($"/{rows}/{id}");
        var second = await http.RemoveAsync($"/{rows}/{id}");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.True(first.Json.GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.False(second.Json.GetProperty("deleted").GetBoolean());
        Assert.Contains("did not exist", second.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecreateAfterCompensation_CreatesANewRow()
    {
        var rut = Ruts.Next();
        var first = await http.CreateClientAsync(rut);
        await http.RemoveAsync($"/clients/{first}");

        var again = await http.PostJsonAsync("/create_client", Api.Client(rut));

        Assert.True(again.Json.GetProperty("created").GetBoolean());
        Assert.NotEqual(first, again.Json.GetProperty("id").GetInt64());
    }
}
