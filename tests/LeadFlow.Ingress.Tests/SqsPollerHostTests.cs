using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using LeadFlow.Ingress.Sqs;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Sqs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Ingress.Tests;

/// <summary>
/// The SQS poller as its Program.cs runs it (<c>AddLeadSqsPoller</c>, a generic host): an exception the SDK throws from
/// its credentials chain (<c>AmazonClientException</c>, as when instance metadata is unreachable) neither faults the
/// poller nor stops the host; the health endpoint says what is wrong, and leads flow once credentials work again.
/// </summary>
public sealed class SqsPollerHostTests(FauxqsFixture fauxqs) : IClassFixture<FauxqsFixture>
{
    [Fact]
    public async Task CredentialsChainThrows_HostKeepsRunning_ReportsUnhealthy_AndRecovers()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, _) = await fauxqs.Server.CreateQueueWithDeadLetterQueueAsync("host-" + Guid.NewGuid().ToString("N")[..12], maxReceiveCount: 5, visibilityTimeoutSeconds: 5);
        var eventId = TestEvents.NewEventId();
        using (var sender = fauxqs.Server.CreateClient())
        {
            await sender.SendMessageAsync(new SendMessageRequest(queue, TestEvents.Json(eventId)));
        }

        var credentials = new FlakyCredentials();
        var port = FreePort();
        var logs = new LogCapture();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingress:Sqs:QueueUrl"] = queue,
            ["Ingress:Sqs:ServiceUrl"] = fauxqs.Server.ServiceUrl.ToString(),
            ["Ingress:Sqs:WaitTimeSeconds"] = "1",
            ["Ingress:Sqs:ReceiveErrorDelaySeconds"] = "0.2",
            ["Temporal:Address"] = temporal.Server.Address,
            ["Temporal:TaskQueue"] = temporal.TaskQueue,
            ["Health:Url"] = $"http://127.0.0.1:{port}/",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(temporal.ClientSource());
        builder.Services.AddSingleton<IAmazonSQS>(new AmazonSQSClient(credentials, new AmazonSQSConfig { ServiceURL = fauxqs.Server.ServiceUrl.ToString(), AuthenticationRegion = FauxqsServer.Region }));
        builder.Services.AddLeadSqsPoller(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        var unhealthy = await ReadyAsync(port, HttpStatusCode.ServiceUnavailable, body => body.Contains(nameof(AmazonClientException), StringComparison.Ordinal));
        Assert.Contains("Instance Metadata", unhealthy, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host began to stop after an AmazonClientException");
        Assert.True(logs.Entries.Count(e => e.Level == LogLevel.Error && e.Message.Contains("Receiving from", StringComparison.Ordinal)) >= 2, logs.AllText);

        credentials.Broken = false;
        await ReadyAsync(port, HttpStatusCode.OK, _ => true);
        await WaitUntilAsync(async () => (await fauxqs.Server.InspectAsync(queue)).Count == 0);
        await temporal.Client.GetWorkflowHandle(Workflows.LeadWorkflowIds.ForEvent(eventId)).DescribeAsync();
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
        await host.StopAsync();
    }

    private static async Task<string> ReadyAsync(int port, HttpStatusCode status, Func<string, bool> also)
    {
        using var http = new HttpClient();
        var last = "";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
                last = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == status && also(last))
                {
                    using var _ = JsonDocument.Parse(last);
                    return last;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"/health/ready never answered {(int)status} as expected; last: {last}");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Credentials whose source fails the way the SDK's instance-metadata provider does, until repaired.</summary>
    private sealed class FlakyCredentials : AWSCredentials
    {
        public volatile bool Broken = true;

        public override ImmutableCredentials GetCredentials() =>
            Broken
                ? throw new AmazonClientException("Unable to get IAM security credentials from EC2 Instance Metadata Service.")
                : new ImmutableCredentials("test", "test", null);

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
    }
}
