using System.Net;
using System.Net.Sockets;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeadFlow.Workflows.Tests;

/// <summary>The worker's start-up: settings are checked before anything runs, and outages are said plainly and retried.</summary>
public sealed class WorkerConfigurationTests
{
    [Theory]
    [InlineData("Crm:ApiKey", "", "Crm__ApiKey")]
    [InlineData("Crm:BaseUrl", "not a url", "Crm__BaseUrl")]
    [InlineData("Temporal:Address", "no-port", "Temporal__Address")]
    [InlineData("Temporal:TaskQueue", " ", "Temporal__TaskQueue")]
    [InlineData("Worker:MaxConcurrentActivities", "0", "Worker__MaxConcurrentActivities")]
    public async Task InvalidSetting_StopsStartUp_NamingTheVariable(string key, string value, string variable)
    {
        using var host = BuildWorker(new() { [key] = value }, new LogCapture());

        var invalid = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(variable, invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:30", "CreateClient")]
    [InlineData("00:00:15", "RecordFailure")]
    public async Task CrmTimeout_LongerThanTheStepItLivesIn_StopsStartUp_NamingBothAndTheRule(string timeout, string step)
    {
        using var host = BuildWorker(new() { ["Crm:Timeout"] = timeout }, new LogCapture());

        var invalid = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"Crm__Timeout ({timeout})", invalid.Message, StringComparison.Ordinal);
        Assert.Contains($"{step}'s", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("StartToCloseTimeout", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultCrmTimeout_FitsEveryStep() =>
        Assert.Empty(LeadFlow.Steps.Crm.CrmTimeouts.Problems(new LeadFlow.Steps.Crm.CrmOptions().Timeout));

    [Fact]
    public async Task UnreachableTemporal_IsLoggedNamingTheAddress_AndRetried()
    {
        var address = $"127.0.0.1:{ClosedPort()}";
        var logs = new LogCapture();
        using var host = BuildWorker(new() { ["Temporal:Address"] = address, ["Worker:MaxReconnectDelay"] = "00:00:00.200" }, logs);

        await host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (logs.Entries.Count(e => e.Message.Contains($"Cannot reach Temporal at {address}", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await host.StopAsync();
        Assert.True(logs.Entries.Count(e => e.Message.Contains($"Cannot reach Temporal at {address}", StringComparison.Ordinal)) >= 2, logs.AllText);
        Assert.Contains("Check Crm__BaseUrl", logs.AllText, StringComparison.Ordinal);
    }

    private static IHost BuildWorker(Dictionary<string, string?> overrides, LogCapture logs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        var settings = new Dictionary<string, string?>
        {
            ["Temporal:Address"] = $"127.0.0.1:{ClosedPort()}",
            ["Crm:BaseUrl"] = $"http://127.0.0.1:{ClosedPort()}",
            ["Crm:ApiKey"] = "some-key",
            ["Worker:MaxReconnectDelay"] = "00:00:00.200",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddLeadOnboardingWorker(builder.Configuration);
        return builder.Build();
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
