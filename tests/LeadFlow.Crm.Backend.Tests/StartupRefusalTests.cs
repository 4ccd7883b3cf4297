using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.LocalDatabase;
using LeadFlow.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LeadFlow.Crm.Backend.Tests;

/// <summary>The backend fails closed: without its database or with a published key it does not start, and says why.</summary>
public sealed class StartupRefusalTests(PostgresFixture database) : IClassFixture<PostgresFixture>
{
    [Fact]
    public void MissingConnectionString_WithoutLocalMode_StopsStartUp_NamingTheVariable()
    {
        var refused = Assert.Throws<CrmConfigurationException>(() => CrmBackendApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration["ConnectionStrings:Crm"] = "";
                builder.Configuration["Crm:ApiKey"] = CrmBackendHost.DefaultApiKey;
                builder.Configuration["Crm:ReadApiKey"] = CrmBackendHost.DefaultReadApiKey;
            }));

        Assert.Contains("ConnectionStrings__Crm is not set", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Crm__LocalMode=true", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CrmOptions.LocalDefaultApiKey, "read-key-of-sufficient-length", "Crm__ApiKey is the published local key")]
    [InlineData("write-key-of-sufficient-length", CrmOptions.LocalDefaultReadApiKey, "Crm__ReadApiKey is the published local key")]
    [InlineData("write-key-of-sufficient-length", "", "Crm__ReadApiKey is required")]
    [InlineData("same-key-for-both-scopes", "same-key-for-both-scopes", "Crm__ReadApiKey must differ from Crm__ApiKey")]
    [InlineData("short", "read-key-of-sufficient-length", "Crm__ApiKey must be at least 16 characters")]
    public async Task UnsafeKeys_OutsideLocalMode_StopStartUp_NamingTheVariableAndTheRule(string writeKey, string readKey, string expected)
    {
        await using var app = CrmBackendApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration["ConnectionStrings:Crm"] = database.ConnectionString;
                builder.Configuration["Crm:ApiKey"] = writeKey;
                builder.Configuration["Crm:ReadApiKey"] = readKey;
            });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalMode_AcceptsTheDocumentedKeys()
    {
        await using var app = CrmBackendApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration["ConnectionStrings:Crm"] = database.ConnectionString;
                builder.Configuration["Crm:LocalMode"] = "true";
            });

        await app.StartAsync();
        var options = app.Services.GetRequiredService<IOptions<CrmOptions>>().Value;
        Assert.Equal(CrmOptions.LocalDefaultApiKey, options.ApiKey);
        Assert.Equal(CrmOptions.LocalDefaultReadApiKey, options.ReadApiKey);
        await app.StopAsync();
    }
}
