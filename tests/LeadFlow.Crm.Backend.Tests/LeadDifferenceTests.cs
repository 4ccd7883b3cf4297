using System.Net;
using System.Text.Json;
using LeadFlow.TestSupport;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary>A lead that finds a stored row with other values: each difference recorded for review, never applied, never silent.</summary>
public sealed class LeadDifferenceTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private readonly HttpClient http = backend.Host.CreateClient();

    [Fact]
    public async Task ClientWithNewMailAndPhone_RecordsEachDifference_KeepsTheStoredValues_AndNamesTheFields()
    {
        var rut = Ruts.Next();
        var (e1, e2) = (LeadRunKeys.New("e1"), LeadRunKeys.New("e2"));
        await http.PostJsonAsync("/create_client", Api.Client(rut, mail: "ana.perez@example.com", phone: "+56 9 1111 2222"), e1.Key(LeadRunKeys.Client));

        var again = await http.PostJsonAsync(
            "/create_client",
            new { name = "Alice", lastname = "Cooper", rut, mail = "new.mail@example.com", phone = "+56 9 3333 4444", eventTime = "2026-11-02T09:30:00-03:00" },
            e2.Key(LeadRunKeys.Client));

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.False(again.Created());
        Assert.Equal(["mail", "phone"], again.DifferingFields());
        Assert.Contains("recorded for review", again.Json.GetProperty("description").GetString(), StringComparison.Ordinal);
        var stored = (await http.FindByRutAsync("clients", rut)).Json;
        Assert.Equal("ana.perez@example.com", stored.GetProperty("mail").GetString());
        Assert.Equal("+56 9 1111 2222", stored.GetProperty("phone").GetString());

        var items = (await http.ReadAsync($"/lead_differences?leadId={e2.LeadId}")).Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["phone", "mail"], items.Select(i => i.GetProperty("field").GetString()));
        var mail = items[1];
        Assert.Equal("ana.perez@example.com", mail.GetProperty("storedValue").GetString());
        Assert.Equal("new.mail@example.com", mail.GetProperty("submittedValue").GetString());
        Assert.Equal(e2.LeadId, mail.GetProperty("leadId").GetString());
        Assert.Equal(e2.RunId, mail.GetProperty("runId").GetString());
        Assert.Equal(e2.Key(LeadRunKeys.Client), mail.GetProperty("idempotencyKey").GetString());
        Assert.Equal("client", mail.GetProperty("entity").GetString());
        Assert.Equal(again.Id(), mail.GetProperty("rowId").GetInt64());
        Assert.Equal(rut, mail.GetProperty("rut").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 12, 30, 0, TimeSpan.Zero), mail.GetProperty("eventTime").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, mail.GetProperty("compensatedAt").ValueKind);
    }

    [Fact]
    public async Task DifferenceLogLines_MaskRutMailAndPhone_AndShowNoNames()
    {
        var rut = Ruts.Next();
        await http.PostJsonAsync("/create_client", Api.Client(rut, name: "Secretname", mail: "old.private@example.com", phone: "+56 9 8765 4321"));

        await http.PostJsonAsync("/create_client", Api.Client(rut, name: "Othername", mail: "new.private@example.com", phone: "+56 9 1234 9876"), LeadRunKeys.New("e2").Key(LeadRunKeys.Client));

        var line = Assert.Single(backend.Host.Logs.Entries, e => e.Message.Contains("mail o***@example.com -> n***@example.com", StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, line.Level);
        Assert.Contains($"(rut {LeadFlow.Leads.PersonalData.MaskRut(rut)})", line.Message, StringComparison.Ordinal);
        Assert.Contains("recorded in lead_differences", line.Message, StringComparison.Ordinal);
        Assert.Contains("phone ***21 -> ***76", line.Message, StringComparison.Ordinal);
        Assert.Contains("name differs", line.Message, StringComparison.Ordinal);
        var logs = backend.Host.Logs.AllText;
        foreach (var secret in new[] { rut, "old.private", "new.private", "8765 4321", "1234 9876", "Secretname", "Othername" })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SameValuesSpelledOtherwise_AreNoDifference()
    {
        var rut = Ruts.Next();
        await http.PostJsonAsync("/create_client", Api.Client(rut, mail: "acooper@example.com", phone: "+56 9 5454 5454"));

        var again = await http.PostJsonAsync("/create_client", Api.Client(Ruts.Dotted(rut), mail: "ACooper@Example.com", phone: 56954545454), LeadRunKeys.New("e2").Key(LeadRunKeys.Client));

        Assert.Empty(again.DifferingFields());
        Assert.Empty((await http.PostJsonAsync("/lead_differences/by-rut", new { rut })).Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ChangedStoreAndBenefitChoice_AreRecordedToo_AlsoWithoutAKey()
    {
        var rut = Ruts.Next();
        await http.CreateClientAsync(rut);
        await http.PostJsonAsync("/create_partner", new { rut, store = "CENTRO" });
        await http.PostJsonAsync("/create_benefit", new { rut, wantsBenefit = true });

        var partner = await http.PostJsonAsync("/create_partner", new { rut, branch = "MAIPU" });
        var benefit = await http.PostJsonAsync("/create_benefit", new { rut, wantsBenefit = "false" });

        Assert.Equal(["store"], partner.DifferingFields());
        Assert.Equal(["wantsBenefit"], benefit.DifferingFields());
        var items = (await http.PostJsonAsync("/lead_differences/by-rut", new { rut = Ruts.Dotted(rut) })).Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([("benefit", "wantsBenefit", "true", "false"), ("partner", "store", "CENTRO", "MAIPU")], items.Select(i => (i.GetProperty("entity").GetString(), i.GetProperty("field").GetString(), i.GetProperty("storedValue").GetString(), i.GetProperty("submittedValue").GetString())));
        Assert.All(items, i => Assert.Equal(JsonValueKind.Null, i.GetProperty("leadId").ValueKind));
        Assert.Equal("CENTRO", (await http.FindByRutAsync("partners", rut)).Json.GetProperty("store").GetString());
    }

    [Fact]
    public async Task CompensatedCreate_MarksTheDifferencesItFound()
    {
        var rut = Ruts.Next();
        var e2 = LeadRunKeys.New("e2");
        await http.CreateClientAsync(rut);
        await http.PostJsonAsync("/create_client", Api.Client(rut, mail: "other@example.com"), e2.Key(LeadRunKeys.Client));

        await http.UndoAsync(e2.Key(LeadRunKeys.Client));

        var item = Assert.Single((await http.ReadAsync($"/lead_differences?leadId={e2.LeadId}")).Json.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.String, item.GetProperty("compensatedAt").ValueKind);
    }

    [Fact]
    public async Task Differences_AreListedNewestFirstAndPaged()
    {
        var rut = Ruts.Next();
        await http.CreateClientAsync(rut);
        foreach (var mail in new[] { "one@example.com", "two@example.com", "three@example.com" })
        {
            await http.PostJsonAsync("/create_client", Api.Client(rut, mail: mail));
        }

        var first = (await http.PostJsonAsync("/lead_differences/by-rut", new { rut, limit = 2 })).Json;
        var second = (await http.PostJsonAsync("/lead_differences/by-rut", new { rut, limit = 2, before = first.GetProperty("nextBefore").GetInt64() })).Json;

        Assert.Equal(["three@example.com", "two@example.com"], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("submittedValue").GetString()));
        Assert.Equal("one@example.com", Assert.Single(second.GetProperty("items").EnumerateArray()).GetProperty("submittedValue").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextBefore").ValueKind);
    }

    [Theory]
    [InlineData("/lead_differences?limit=0", "limit", "range")]
    [InlineData("/lead_differences?rut=11111111-1", "rut", "rut.notInUrl")]
    public async Task BadFilter_Is400(string path, string field, string rule)
    {
        var answer = await http.ReadAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains((field, rule), answer.Rules);
    }

    [Fact]
    public async Task BadRutInTheLookupBody_Is400()
    {
        var answer = await http.PostJsonAsync("/lead_differences/by-rut", new { rut = "1-2" });

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(("rut", "rut.checkDigit"), answer.Rules);
    }

    [Theory]
    [InlineData("\"2026-11-02\"")]
    [InlineData("\"2026-11-02T09:30:00\"")]
    [InlineData("\"yesterday\"")]
    [InlineData("1764000000")]
    public async Task EventTimeThatIsNotRfc3339_Is400(string eventTime)
    {
        var body = $$"""{"name":"A","lastname":"C","rut":"{{Ruts.Next()}}","mail":"a@example.com","phone":"+56 9 5454 5454","eventTime":{{eventTime}}}""";

        var answer = await http.SendAsync(HttpMethod.Post, "/create_client", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(("eventTime", "eventTime.format"), answer.Rules);
    }
}
