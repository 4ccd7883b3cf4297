using LeadFlow.Ingress.Starting;
using LeadFlow.Temporal;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Logging;
using Temporalio.Client;

namespace LeadFlow.Ingress.Tests.Support;

/// <summary>
/// The test Temporal server and a task queue no worker polls (unless a test starts one): ingress
/// tests check starts, which need no worker.
/// </summary>
public sealed class IngressTemporal
{
    private IngressTemporal(TestTemporalServer server, ITemporalClient client, string taskQueue)
    {
        Server = server;
        Client = client;
        TaskQueue = taskQueue;
    }

    public TestTemporalServer Server { get; }

    public ITemporalClient Client { get; }

    public string TaskQueue { get; }

    public TemporalOptions Options => new() { Address = Server.Address, Namespace = Server.Namespace, TaskQueue = TaskQueue, RpcTimeoutSeconds = 5, Encryption = TestEncryptionKeys.Options() };

    public static async Task<IngressTemporal> StartAsync()
    {
        var server = await TestTemporal.GetAsync();
        return new IngressTemporal(server, await server.ConnectAsync(), "ingress-test-" + Guid.NewGuid().ToString("N"));
    }

    public TemporalClientSource ClientSource() => TemporalClientSource.For(Client, TaskQueue);

    public LeadWorkflowStarter Starter(ILoggerProvider? logs = null) =>
        new(ClientSource(), logs is null ? null : LoggerFactory.Create(b => b.AddProvider(logs)).CreateLogger<LeadWorkflowStarter>());

    /// <summary>Options pointing at a port where nothing listens.</summary>
    public static TemporalOptions Unreachable() => new() { Address = "127.0.0.1:1", Namespace = "default", TaskQueue = "nowhere", RpcTimeoutSeconds = 2 };
}
