using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Network;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// The worker's health endpoint (<c>Health__Url</c>, <c>GET /health/ready</c>) against the real backend and the test
/// Temporal server: healthy when it polls and the backend takes its key; unhealthy, saying why, when Temporal stops
/// answering (a proxy in front of it is closed), when it never could connect, and when the backend refuses the key.
/// </summary>
public sealed class WorkerHealthTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PollingWorker_WithAcceptedKey_IsHealthy()
    {
        var temporal = await TestTemporal.GetAsync();
        var (host, url) = await StartWorkerAsync(temporal.Address, backend.Host.ApiKey);
        using var _ = host;

        var answer = await WaitForAsync(url, HttpStatusCode.OK);

        Assert.Equal("Healthy", answer.GetProperty("status").GetString());
        Assert.Contains("polling task queue", answer.GetProperty("checks").GetProperty("temporal").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("accepts the API key", answer.GetProperty("checks").GetProperty("crm").GetProperty("description").GetString(), StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task TemporalStopsAnswering_WorkerIsUnhealthy_UntilItAnswersAgain()
    {
        var temporal = await TestTemporal.GetAsync();
        await using var proxy = new TcpProxy(temporal.Address);
        var (host, url) = await StartWorkerAsync(proxy.Address, backend.Host.ApiKey);
        using var _ = host;
        await WaitForAsync(url, HttpStatusCode.OK);

        proxy.Close();
        var down = await WaitForAsync(url, HttpStatusCode.ServiceUnavailable);
        var temporalCheck = down.GetProperty("checks").GetProperty("temporal");
        Assert.Equal("Unhealthy", temporalCheck.GetProperty("status").GetString());
        Assert.Contains(proxy.Address, temporalCheck.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Healthy", down.GetProperty("checks").GetProperty("crm").GetProperty("status").GetString());

        proxy.Open();
        await WaitForAsync(url, HttpStatusCode.OK);
        await host.StopAsync();
    }

    [Fact]
    public async Task WorkerStuckReconnecting_IsUnhealthy()
    {
        var address = $"127.0.0.1:{ClosedPort()}";
        var (host, url) = await StartWorkerAsync(address, backend.Host.ApiKey);
        using var _ = host;

        var answer = await WaitForAsync(url, HttpStatusCode.ServiceUnavailable, a => a.GetProperty("checks").GetProperty("temporal").GetProperty("description").GetString()!.Contains("cannot reach Temporal", StringComparison.Ordinal));

        Assert.Contains(address, answer.GetProperty("checks").GetProperty("temporal").GetProperty("description").GetString(), StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task BackendRefusesTheKey_WorkerIsUnhealthy_NamingIt()
    {
        var temporal = await TestTemporal.GetAsync();
        var (host, url) = await StartWorkerAsync(temporal.Address, "not-the-key");
        using var _ = host;

        var answer = await WaitForAsync(url, HttpStatusCode.ServiceUnavailable, a => a.GetProperty("checks").GetProperty("crm").GetProperty("description").GetString()!.Contains("refuses the API key", StringComparison.Ordinal));

        var crm = answer.GetProperty("checks").GetProperty("crm");
        Assert.Contains("(401)", crm.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-key", answer.GetRawText(), StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task LiveProbe_AnswersWhileNothingElseWorks()
    {
        var (host, url) = await StartWorkerAsync($"127.0.0.1:{ClosedPort()}", "not-the-key");
        using var _ = host;
        using var http = new HttpClient();

        // The endpoint starts with the host; give it a moment to bind.
        var status = await Eventually.ValueAsync(async () => (await http.GetAsync(new Uri(url, "health/live"))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, status);
        await host.StopAsync();
    }

    private async Task<(IHost Host, Uri Url)> StartWorkerAsync(string temporalAddress, string apiKey)
    {
        var port = ClosedPort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = temporalAddress,
            ["Temporal:Namespace"] = "default",
            ["Temporal:TaskQueue"] = $"health-{Guid.NewGuid():N}",
            ["Crm:BaseUrl"] = backend.Host.BaseAddress.ToString(),
            ["Crm:ApiKey"] = apiKey,
            ["Worker:MaxReconnectDelay"] = "00:00:00.500",
            ["Worker:HealthProbeInterval"] = "00:00:00.300",
            ["Worker:GracefulShutdownTimeout"] = "00:00:01",
            ["Health:Url"] = $"http://127.0.0.1:{port}/",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddLeadOnboardingWorker(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return (host, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Asks <c>/health/ready</c> until it answers <paramref name="status"/> (and <paramref name="also"/> holds); the last answer.</summary>
    private static async Task<JsonElement> WaitForAsync(Uri url, HttpStatusCode status, Func<JsonElement, bool>? also = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var deadline = DateTime.UtcNow + Patience;
        var last = "(no answer)";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(url, "health/ready"));
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == status)
                {
                    var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                    if (also is null || also(body))
                    {
                        return body;
                    }
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"/health/ready never answered {(int)status} within {Patience.TotalSeconds} s; last: {last}");
    }

    private static class Eventually
    {
        public static async Task<T> ValueAsync<T>(Func<Task<T>> read)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await read();
                }
                catch (HttpRequestException) when (attempt < 100)
                {
                    await Task.Delay(100);
                }
            }
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
