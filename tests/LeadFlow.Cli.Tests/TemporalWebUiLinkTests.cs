using System.Net;
using LeadFlow.Cli.Configuration;
using LeadFlow.Cli.Hosting;
using LeadFlow.Cli.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace LeadFlow.Cli.Tests;

/// <summary>Every Temporal a local run uses comes with the link to its Web UI, or says how to get one.</summary>
public sealed class TemporalWebUiLinkTests
{
    [Fact]
    public async Task TemporalAddress_WithTemporalUiUrl_LinksEachLeadToItsPageThere()
    {
        var options = LocalRunOptions.From(Settings(new() { ["LeadFlow:TemporalUiUrl"] = "http://temporal-ui.internal:8080" }));
        var locator = new TemporalLocator(options, "leads", _ => { }) { EnvironmentAddress = "temporal.internal:7233" };

        var endpoint = await locator.LocateAsync(0, CancellationToken.None);

        Assert.Equal(TemporalLocator.EnvironmentSource, endpoint.Source);
        Assert.Equal(new Uri("http://temporal-ui.internal:8080/namespaces/leads/workflows"), endpoint.WorkflowsPage("leads"));
        Assert.Equal(new Uri("http://temporal-ui.internal:8080/namespaces/leads/workflows/lead-e1/run-1/history"), endpoint.WorkflowPage("leads", "lead-e1", "run-1"));
        Assert.Null(endpoint.WebUiNote);
    }

    [Fact]
    public async Task TemporalAddress_WithoutTemporalUiUrl_SaysWhichVariableGivesTheLinks()
    {
        var locator = new TemporalLocator(new LocalRunOptions(), "default", _ => { }) { EnvironmentAddress = "temporal.internal:7233" };

        var endpoint = await locator.LocateAsync(0, CancellationToken.None);

        Assert.Null(endpoint.WorkflowsPage("default"));
        Assert.Contains("LeadFlow__TemporalUiUrl", endpoint.WebUiNote, StringComparison.Ordinal);
    }

    [Fact]
    public void TemporalUiUrl_NotHttp_IsRefusedNamingTheVariable()
    {
        var refused = Assert.Throws<OptionsException>(() => LocalRunOptions.From(Settings(new() { ["LeadFlow:TemporalUiUrl"] = "ftp://x/" })));

        Assert.Contains("LeadFlow__TemporalUiUrl must be an http(s) address", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbeddedServer_ServesTheWebUiAtTheLinkItPrints()
    {
        var locator = new TemporalLocator(new LocalRunOptions { Temporal = TemporalMode.Embedded }, "default", _ => { });
        var endpoint = await locator.LocateAsync(0, CancellationToken.None);
        await using var owned = endpoint.Owned;

        if (endpoint.WebUiUrl is null)
        {
            // No built UI and no npm on this machine: the note must say how to get it.
            Assert.Contains("npm", endpoint.WebUiNote, StringComparison.OrdinalIgnoreCase);
            return;
        }

        using var http = new HttpClient();
        var page = await http.GetAsync(endpoint.WorkflowsPage("default"));
        var settings = await http.GetStringAsync(new Uri(endpoint.WebUiUrl, "api/v1/settings"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"Version\"", settings, StringComparison.Ordinal);
    }

    private static IConfiguration Settings(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
