using System.Net;
using LeadFlow.Crm.Backend.Auth;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Crm.Backend.Tests;

public sealed class AuthTests(PostgresFixture database) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const string SecretKey = "s3cr3t-key-that-must-not-leak";
    private CrmBackendHost host = null!;

    public async Task InitializeAsync() =>
        host = await CrmBackendHost.StartAsync(database.ConnectionString, SecretKey, builder => builder.Logging.SetMinimumLevel(LogLevel.Trace).AddFilter(_ => true));

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key")]
    [InlineData(SecretKey + "x")]
    public async Task MissingOrWrongKey_Is401Problem(string? key)
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        if (key is not null)
        {
            anonymous.DefaultRequestHeaders.Add("x-api-key", key);
        }

        var create = await anonymous.PostJsonAsync("/create_client", Api.Client(Ruts.Next()));
        var read = await anonymous.ReadAsync("/lead_failures");

        Assert.Equal(HttpStatusCode.Unauthorized, create.Status);
        Assert.Equal("application/problem+json", create.MediaType);
        Assert.Contains(("x-api-key", "apiKey.valid"), create.Rules);
        Assert.Equal(HttpStatusCode.Unauthorized, read.Status);
    }

    [Fact]
    public async Task Health_NeedsNoKey()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, (await anonymous.ReadAsync("/health/live")).Status);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.ReadAsync("/health/ready")).Status);
    }

    [Fact]
    public async Task ApiKeyAndPersonalData_NeverAppearInLogs()
    {
        using var wrong = new HttpClient { BaseAddress = host.BaseAddress };
        wrong.DefaultRequestHeaders.Add("x-api-key", SecretKey + "-wrong");
        var rut = Ruts.Next();
        await wrong.PostJsonAsync("/create_client", Api.Client(rut));
        using var right = host.CreateClient();
        await right.PostJsonAsync("/create_client", Api.Client(rut, mail: "very.private@example.com", phone: "+56 9 1234 5678"));
        await right.PostJsonAsync("/create_client", Api.Client(Ruts.WithWrongCheckDigit(Ruts.Next()), mail: "bad"));

        var logs = host.Logs.AllText;
        Assert.Contains("Rejected POST /create_client", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(rut, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("very.private", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("1234 5678", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteKey_CannotRead_AndReadKey_CannotWrite()
    {
        using var writer = host.CreateClient(host.ApiKey);
        using var reader = host.CreateClient(host.ReadApiKey);
        var rut = Ruts.Next();
        var id = (await writer.PostJsonAsync("/create_client", Api.Client(rut))).Id();

        var readWithWriteKey = await writer.ReadAsync($"/clients/{id}");
        var lookupWithWriteKey = await writer.FindByRutAsync("clients", rut);
        var createWithReadKey = await reader.PostJsonAsync("/create_client", Api.Client(Ruts.Next()));
        var deleteWithReadKey = await reader.RemoveAsync($"/clients/{id}");
        var failureWithReadKey = await reader.PostJsonAsync("/lead_failures", new { leadId = "lead-x", step = "CreateClient", reason = "r" });

        Assert.Equal(HttpStatusCode.Forbidden, readWithWriteKey.Status);
        Assert.Contains(("x-api-key", "apiKey.scope"), readWithWriteKey.Rules);
        Assert.Equal(HttpStatusCode.Forbidden, lookupWithWriteKey.Status);
        Assert.Equal(HttpStatusCode.Forbidden, createWithReadKey.Status);
        Assert.Equal(HttpStatusCode.Forbidden, deleteWithReadKey.Status);
        Assert.Equal(HttpStatusCode.Forbidden, failureWithReadKey.Status);
        Assert.Equal(HttpStatusCode.OK, (await reader.ReadAsync($"/clients/{id}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await reader.FindByRutAsync("clients", rut)).Status);
    }

    [Fact]
    public async Task ScopePath_SaysWhichKeyIsHeld()
    {
        using var writer = host.CreateClient(host.ApiKey);
        using var reader = host.CreateClient(host.ReadApiKey);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };

        Assert.Equal("write", (await writer.ReadAsync(ApiScopes.ScopePath)).Json.GetProperty("scope").GetString());
        Assert.Equal("read", (await reader.ReadAsync(ApiScopes.ScopePath)).Json.GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.ReadAsync(ApiScopes.ScopePath)).Status);
    }

    [Fact]
    public async Task NoRut_InAnyLogLine_EvenWhenACallerPutsItInTheUrl()
    {
        var rut = Ruts.Next();
        var dotted = Ruts.Dotted(rut);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var writer = host.CreateClient(host.ApiKey);
        using var reader = host.CreateClient(host.ReadApiKey);
        await reader.PostJsonAsync("/create_client", Api.Client(rut));
        await writer.PostJsonAsync("/create_client", Api.Client(rut));

        // An old client's URL with the RUT in it, refused for its key (401), for its scope (403), and unknown (404).
        await anonymous.ReadAsync($"/clients/by-rut/{dotted}");
        await writer.ReadAsync($"/clients/by-rut/{rut}");
        await reader.ReadAsync($"/clients/by-rut/{rut}");
        await reader.ReadAsync($"/lead_differences?rut={rut}");
        await reader.FindByRutAsync("clients", dotted);
        await reader.FindByRutAsync("partners", rut);

        var logs = host.Logs.AllText;
        Assert.Contains("/clients/by-rut/*", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(rut, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(dotted, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(rut.Replace("-", "", StringComparison.Ordinal)[..8], logs, StringComparison.Ordinal);
    }
}
