using System.Net;
using LeadFlow.TestSupport;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class CreateAndReadTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task CreateClient_Answers200WithOriginalFieldsIdAndCreated()
    {
        var answer = await http.PostJsonAsync("/create_client", Api.Client(Ruts.Next()));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(200, answer.Json.GetProperty("statusCode").GetInt32());
        Assert.False(string.IsNullOrEmpty(answer.Json.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(answer.Json.GetProperty("description").GetString()));
        Assert.True(answer.Json.GetProperty("id").GetInt64() > 0);
        Assert.True(answer.Json.GetProperty("created").GetBoolean());
    }

    [Fact]
    public async Task ClientPartnerBenefit_CreatedInOrder_AreReadableByIdAndRut()
    {
        var rut = Ruts.Next();
        var clientId = await http.CreateClientAsync(Ruts.Dotted(rut));
        var partner = await http.PostJsonAsync("/create_partner", new { rut, store = "ESTACION_CENTRAL" });
        var benefit = await http.PostJsonAsync("/create_benefit", new { rut, wantsBenefit = true });
        Assert.Equal(HttpStatusCode.OK, partner.Status);
        Assert.Equal(HttpStatusCode.OK, benefit.Status);

        var client = (await http.ReadAsync($"/clients/{clientId}")).Json;
        Assert.Equal(rut, client.GetProperty("rut").GetString());
        Assert.Equal("Alice", client.GetProperty("name").GetString());
        Assert.Equal("acooper@example.com", client.GetProperty("mail").GetString());

        var partnerView = (await http.FindByRutAsync("partners", Ruts.Dotted(rut).ToLowerInvariant())).Json;
        Assert.Equal(partner.Json.GetProperty("id").GetInt64(), partnerView.GetProperty("id").GetInt64());
        Assert.Equal(clientId, partnerView.GetProperty("clientId").GetInt64());
        Assert.Equal("ESTACION_CENTRAL", partnerView.GetProperty("store").GetString());

        var benefitView = (await http.ReadAsync($"/benefits/{benefit.Json.GetProperty("id").GetInt64()}")).Json;
        Assert.True(benefitView.GetProperty("wantsBenefit").GetBoolean());
        Assert.Equal(rut, (await http.FindByRutAsync("clients", rut.Replace("-", "", StringComparison.Ordinal))).Json.GetProperty("rut").GetString());
    }

    [Fact]
    public async Task RutIsStoredNormalised()
    {
        var rut = Ruts.Next();
        var id = await http.CreateClientAsync(Ruts.Dotted(rut));

        Assert.Equal(rut, (await http.ReadAsync($"/clients/{id}")).Json.GetProperty("rut").GetString());
    }

    [Fact]
    public async Task PhoneAsJsonNumber_IsAccepted()
    {
        var rut = Ruts.Next();
        var answer = await http.PostJsonAsync("/create_client", Api.Client(rut, phone: 56954545454));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("56954545454", (await http.FindByRutAsync("clients", rut)).Json.GetProperty("phone").GetString());
    }

    [Fact]
    public async Task BranchAlias_IsAcceptedForStore()
    {
        var rut = Ruts.Next();
        await http.CreateClientAsync(rut);

        var answer = await http.PostJsonAsync("/create_partner", new { rut, branch = "MAIPU" });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("MAIPU", (await http.FindByRutAsync("partners", rut)).Json.GetProperty("store").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-8")]
    public async Task JsonBody_IsAcceptedWhateverTheContentType(string? contentType)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(Api.Client(Ruts.Next()));

        var answer = await http.SendAsync(HttpMethod.Post, "/create_client", body, contentType);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(answer.Json.GetProperty("created").GetBoolean());
    }

    [Theory]
    [InlineData("O'Higgins \"el\" Libertador")]
    [InlineData("'); DROP TABLE clients;--")]
    [InlineData("Ñuñoa")]
    [InlineData("李小龍")]
    [InlineData("Zoë 🚀 Ångström")]
    public async Task Strings_AreStoredAndReturnedVerbatim(string text)
    {
        var rut = Ruts.Next();
        var id = await http.CreateClientAsync(rut);
        var second = Ruts.Next();
        var answer = await http.PostJsonAsync("/create_client", Api.Client(second, name: text, lastname: text));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var partner = await http.PostJsonAsync("/create_partner", new { rut = second, store = text.Length > 20 ? text[..20] : text });
        Assert.Equal(HttpStatusCode.OK, partner.Status);

        var view = (await http.FindByRutAsync("clients", second)).Json;
        Assert.Equal(text, view.GetProperty("name").GetString());
        Assert.Equal(text, view.GetProperty("lastname").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.ReadAsync($"/clients/{id}")).Status);
    }

    [Fact]
    public async Task UnknownIdOrRut_Is404Problem()
    {
        var byId = await http.ReadAsync("/clients/987654321");
        var byRut = await http.FindByRutAsync("partners", Ruts.Next());

        Assert.Equal(HttpStatusCode.NotFound, byId.Status);
        Assert.Equal("application/problem+json", byId.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, byRut.Status);
    }

    [Fact]
    public async Task ReadByInvalidRut_Is400NamingTheRule()
    {
        var answer = await http.FindByRutAsync("clients", Ruts.WithWrongCheckDigit(Ruts.Next()));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(("rut", "rut.checkDigit"), answer.Rules);
    }
}
