using System.Net;
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
}
