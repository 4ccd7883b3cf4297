using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LeadFlow.Ingress.Http;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Tests;

/// <summary>The intake fails closed: JSON only, a key when exposed, the web form on its own same-origin, anti-forgery, rate-limited routes.</summary>
public sealed class IntakeLockdownTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task CrossSiteSimplePost_IsRefused_415(string? contentType)
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(TestEvents.Json()));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        // What any page a person has open may send cross-site without a CORS preflight.
        using var machine = await http.PostAsync(new Uri("events", UriKind.Relative), content);
        using var form = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "form/events") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(TestEvents.Lead().ToJsonString())), Headers = { { "Sec-Fetch-Site", "cross-site" } } });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, machine.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
    }

    [Fact]
    public async Task SnsNotification_AsTextPlainWithItsHeader_IsTaken()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "events") { Content = new StringContent(TestEvents.Json(), Encoding.UTF8, "text/plain") };
        request.Headers.Add(IntakeGuards.SnsMessageTypeHeader, "Notification");

        using var response = await http.SendAsync(request);

        Assert.NotEqual(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://+:0")]
    [InlineData("http://127.0.0.1:0;http://[::]:0")]
    public async Task ExposedIntake_WithoutApiKey_RefusesToStart_NamingTheVariable(string urls)
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var app = IngressApp.Build(["--urls", urls], builder => builder.Services.AddSingleton(temporal.ClientSource()));

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Ingress__ApiKey is required when the intake listens on anything but loopback", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerPorts_CountAsExposed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["http_ports"] = "8080" }).Build();

        Assert.Equal(["*:8080"], IngressOptionsValidator.ExposedAddresses(configuration));
        Assert.Empty(IngressOptionsValidator.ExposedAddresses(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://localhost:5090;http://[::1]:5091" }).Build()));
    }

    [Fact]
    public async Task WebForm_PostsWithoutTheKey_SameOriginWithItsToken_AndOnlyThat()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource(), new Dictionary<string, string?> { ["Ingress:ApiKey"] = "intake-key-of-sufficient-length" });
        using var browser = BrowserClient(host);
        var token = await browser.GetFromJsonAsync<JsonElement>(new Uri("form/token", UriKind.Relative));

        var withToken = await FormPostAsync(browser, token.GetProperty("token").GetString());
        var withoutToken = await FormPostAsync(browser, null);
        var machineWithoutKey = await browser.PostAsync(new Uri("events", UriKind.Relative), TestEvents.JsonContent(TestEvents.Json()));

        Assert.Equal(HttpStatusCode.Accepted, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, machineWithoutKey.StatusCode);
        var leadId = (await withToken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries")[0].GetProperty("eventId").GetString();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri($"form/leads/{leadId}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task WebForm_IsRateLimitedPerClient_429WithRetryAfter()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource(), new Dictionary<string, string?> { ["Ingress:FormPermitsPerMinute"] = "2" });
        using var browser = BrowserClient(host);
        var token = (await browser.GetFromJsonAsync<JsonElement>(new Uri("form/token", UriKind.Relative))).GetProperty("token").GetString();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last = await FormPostAsync(browser, token);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(int.Parse(last!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
    }

    [Fact]
    public async Task StatusAnswers_ShowNoPersonalData()
    {
        await using var flow = new FullFlowFixture();
        await flow.InitializeAsync();
        using var http = flow.Ingress.CreateClient();
        var lead = TestEvents.Lead();
        lead["name"] = "Zacarias";
        lead["lastname"] = "Uniquelastname";
        lead["mail"] = "zacarias.private@example.com";
        lead["phone"] = "+56 9 8765 4321";
        var eventId = TestEvents.NewEventId();
        await http.PostAsync(new Uri("events", UriKind.Relative), TestEvents.JsonContent(TestEvents.Envelope(eventId, lead).ToJsonString()));
        await flow.Temporal.Client.GetWorkflowHandle(Workflows.LeadWorkflowIds.ForEvent(eventId)).GetResultAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var status = await http.GetStringAsync(new Uri($"leads/{eventId}", UriKind.Relative));

        Assert.Contains("Completed", status, StringComparison.Ordinal);
        foreach (var personal in new[] { "Zacarias", "Uniquelastname", "zacarias.private", "8765", lead["rut"]!.GetValue<string>(), lead["rut"]!.GetValue<string>()[..8] })
        {
            Assert.DoesNotContain(personal, status, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>A browser on the intake's page: cookies kept, same-origin Fetch Metadata.</summary>
    private static HttpClient BrowserClient(IngressHost host)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = host.BaseAddress };
        http.DefaultRequestHeaders.Add("Sec-Fetch-Site", "same-origin");
        return http;
    }

    private static Task<HttpResponseMessage> FormPostAsync(HttpClient browser, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "form/events") { Content = TestEvents.JsonContent(TestEvents.Lead().ToJsonString()) };
        request.Headers.Add("Idempotency-Key", TestEvents.NewEventId());
        if (token is not null)
        {
            request.Headers.Add(IntakeGuards.AntiforgeryHeader, token);
        }

        return browser.SendAsync(request);
    }
}
