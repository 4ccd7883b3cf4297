using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.SQS.Model;
using LeadFlow.Crm.Backend.LocalDatabase;
using LeadFlow.TestSupport.Network;
using LeadFlow.TestSupport.Publishing;
using LeadFlow.TestSupport.Sqs;

namespace LeadFlow.Benchmarks.Chaos;

/// <summary>
/// The whole system of a chaos run, each part a separate process as in production, started from the projects'
/// published folders: the embedded Temporal server (behind a <see cref="TcpProxy"/> that the Temporal outage closes),
/// a private PostgreSQL cluster (durable settings: fsync and synchronous commit on, as in production), two CRM backend
/// instances behind a <see cref="RoundRobinProxy"/>, three workers, the SQS poller on fauxqs and the HTTP intake.
/// </summary>
public sealed class ChaosSystem : IAsyncDisposable
{
    public const string WriteKey = "chaos-write-key-0123456789";
    public const string ReadKey = "chaos-read-key-0123456789";
    public const int MaxReceiveCount = 5;
    public const int VisibilityTimeoutSeconds = 10;

    private static readonly (string Name, string Project, string Dll)[] Parts =
    [
        ("temporal", "EmbeddedTemporal", "LeadFlow.EmbeddedTemporal.dll"),
        ("backend", "Crm.Backend", "LeadFlow.Crm.Backend.dll"),
        ("worker", "Worker", "LeadFlow.Worker.dll"),
        ("sqs", "Ingress/LeadFlow.Ingress.Sqs", "LeadFlow.Ingress.Sqs.dll"),
        ("intake", "Ingress/LeadFlow.Ingress.Http", "LeadFlow.Ingress.Http.dll"),
    ];

    private readonly string _folder;
    private readonly List<IAsyncDisposable> _owned = [];

    private ChaosSystem(string folder) => _folder = folder;

    public required LocalPostgresCluster Postgres { get; init; }

    public required string ConnectionString { get; init; }

    /// <summary>The embedded server's own gRPC address (the benchmark reads outcomes here, not through the proxy).</summary>
    public required string TemporalDirectAddress { get; init; }

    public required TcpProxy TemporalProxy { get; init; }

    public required FauxqsServer Fauxqs { get; init; }

    public required string QueueUrl { get; init; }

    public required string DeadLetterQueueUrl { get; init; }

    public required string PoisonQueueUrl { get; init; }

    public required IReadOnlyList<ChaosProcess> Backends { get; init; }

    public required RoundRobinProxy BackendBalancer { get; init; }

    public required IReadOnlyList<ChaosProcess> Workers { get; init; }

    public required ChaosProcess Poller { get; init; }

    public required Uri IntakeUrl { get; init; }

    /// <summary>How long a message can fail before the queue dead-letters it: maxReceiveCount x visibility timeout.</summary>
    public static TimeSpan RedeliveryBudget => TimeSpan.FromSeconds(MaxReceiveCount * VisibilityTimeoutSeconds);

    public IReadOnlyDictionary<string, (int Port, ChaosProcess Process)> Health { get; private init; } = new Dictionary<string, (int, ChaosProcess)>();

    /// <summary>Publishes the five projects once (into <paramref name="folder"/>/bin), then starts every part and waits until each answers.</summary>
    public static async Task<ChaosSystem> StartAsync(string folder, Action<string> log)
    {
        var bin = Path.Combine(folder, "bin");
        var logs = Path.Combine(folder, "logs");
        Directory.CreateDirectory(logs);
        var dlls = new Dictionary<string, string>();
        foreach (var (name, project, dll) in Parts)
        {
            var output = Path.Combine(bin, name);
            PublishResult published;
            try
            {
                // `dotnet run` of this project built them all (project references): publish copies, builds nothing.
                published = await DotnetPublish.RunAsync(project, output, noBuild: true);
            }
            catch (InvalidOperationException)
            {
                published = await DotnetPublish.RunAsync(project, output);
            }

            log(string.Create(CultureInfo.InvariantCulture, $"published {project} in {published.Took.TotalSeconds:0.0}s"));
            dlls[name] = Path.Combine(output, dll);
        }

        // Durable settings (Temporary: false): an immediate restart must not lose committed rows, as it would not in production.
        var postgres = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(folder, "pg", "data"), Temporary: false));
        // What a failed start leaves is ended here (the processes by the benchmark: ChaosProcess.Started).
        var owned = new List<IAsyncDisposable>();
        try
        {
            await postgres.EnsureDatabaseAsync("leadflow_chaos");
            var connectionString = postgres.ConnectionStringFor("leadflow_chaos");

            var temporalPort = FreePort();
            var temporal = new ChaosProcess("temporal", dlls["temporal"], ["--port", temporalPort.ToString(CultureInfo.InvariantCulture), "--ui-port", "off"], new Dictionary<string, string>(), logs);
            temporal.Start();
            await WaitListeningAsync(temporalPort, TimeSpan.FromSeconds(60), temporal);
            var temporalProxy = new TcpProxy($"127.0.0.1:{temporalPort}");
            owned.Add(temporalProxy);

            var fauxqs = await FauxqsServer.StartAsync();
            owned.Add(fauxqs);
            var (queueUrl, dlqUrl) = await fauxqs.CreateQueueWithDeadLetterQueueAsync("chaos-intake", MaxReceiveCount, VisibilityTimeoutSeconds);
            using (var sqs = fauxqs.CreateClient())
            {
                var poisonUrl = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = "chaos-intake-poison" })).QueueUrl;
                var quiet = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning", ["Logging__LogLevel__LeadFlow"] = "Warning" };
                var health = new Dictionary<string, (int, ChaosProcess)>();

                var backendPorts = new[] { FreePort(), FreePort() };
                var backends = backendPorts.Select((port, i) => new ChaosProcess($"backend-{i}", dlls["backend"], [], With(quiet, new()
                {
                    ["ConnectionStrings__Crm"] = connectionString,
                    ["Crm__ApiKey"] = WriteKey,
                    ["Crm__ReadApiKey"] = ReadKey,
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                    ["ASPNETCORE_ENVIRONMENT"] = "Production",
                }), logs)).ToList();
                for (var i = 0; i < backends.Count; i++)
                {
                    // One after the other: the first applies the migrations.
                    backends[i].Start();
                    health[backends[i].Name] = (backendPorts[i], backends[i]);
                    await backends[i].WaitHealthyAsync(new Uri($"http://127.0.0.1:{backendPorts[i]}/health/ready"), TimeSpan.FromSeconds(120));
                }

                var balancer = new RoundRobinProxy(backendPorts);
                owned.Add(balancer);
                var temporalSettings = new Dictionary<string, string> { ["Temporal__Address"] = temporalProxy.Address, ["Temporal__Namespace"] = "default" };

                var workers = Enumerable.Range(0, 3).Select(i =>
                {
                    var port = FreePort();
                    var worker = new ChaosProcess($"worker-{i}", dlls["worker"], [], With(quiet, With(temporalSettings, new()
                    {
                        ["Crm__BaseUrl"] = $"http://127.0.0.1:{balancer.Port}/",
                        ["Crm__ApiKey"] = WriteKey,
                        ["Crm__Timeout"] = "00:00:05",
                        ["Worker__MaxReconnectDelay"] = "00:00:05",
                        ["Health__Url"] = $"http://127.0.0.1:{port}/",
                    })), logs);
                    health[worker.Name] = (port, worker);
                    return worker;
                }).ToList();

                var pollerPort = FreePort();
                var poller = new ChaosProcess("sqs-poller", dlls["sqs"], [], With(quiet, With(temporalSettings, new()
                {
                    ["Ingress__Sqs__QueueUrl"] = queueUrl,
                    ["Ingress__Sqs__ServiceUrl"] = fauxqs.ServiceUrl.ToString(),
                    ["Ingress__Sqs__PoisonQueueUrl"] = poisonUrl,
                    ["Ingress__Sqs__VisibilityTimeoutSeconds"] = VisibilityTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
                    ["Ingress__Sqs__WaitTimeSeconds"] = "2",
                    ["Ingress__Sqs__TemporalProbeMaxDelaySeconds"] = "5",
                    ["AWS_ACCESS_KEY_ID"] = "test",
                    ["AWS_SECRET_ACCESS_KEY"] = "test",
                    ["Health__Url"] = $"http://127.0.0.1:{pollerPort}/",
                })), logs);
                health[poller.Name] = (pollerPort, poller);

                var intakePort = FreePort();
                var intake = new ChaosProcess("intake", dlls["intake"], [], With(quiet, With(temporalSettings, new()
                {
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{intakePort}",
                })), logs);

                foreach (var part in workers.Append(poller).Append(intake))
                {
                    part.Start();
                }

                foreach (var (name, (port, process)) in health.Where(h => !h.Key.StartsWith("backend", StringComparison.Ordinal)))
                {
                    await process.WaitHealthyAsync(new Uri($"http://127.0.0.1:{port}/health/ready"), TimeSpan.FromSeconds(180));
                }

                await intake.WaitHealthyAsync(new Uri($"http://127.0.0.1:{intakePort}/health/live"), TimeSpan.FromSeconds(120));

                var system = new ChaosSystem(folder)
                {
                    Postgres = postgres,
                    ConnectionString = connectionString,
                    TemporalDirectAddress = $"127.0.0.1:{temporalPort}",
                    TemporalProxy = temporalProxy,
                    Fauxqs = fauxqs,
                    QueueUrl = queueUrl,
                    DeadLetterQueueUrl = dlqUrl,
                    PoisonQueueUrl = poisonUrl,
                    Backends = backends,
                    BackendBalancer = balancer,
                    Workers = workers,
                    Poller = poller,
                    IntakeUrl = new Uri($"http://127.0.0.1:{intakePort}/"),
                    Health = health,
                };
                // Stopped in this order: ingress first, then workers, backends, the proxies, Temporal, fauxqs.
                system._owned.AddRange([intake, poller, .. workers, .. backends, balancer, temporalProxy, temporal, fauxqs]);
                return system;
            }
        }
        catch
        {
            foreach (var part in owned)
            {
                await part.DisposeAsync();
            }

            postgres.Stop();
            throw;
        }
    }

    /// <summary>The log files of every part.</summary>
    public string LogFolder => Path.Combine(_folder, "logs");

    public async ValueTask DisposeAsync()
    {
        foreach (var part in _owned)
        {
            await part.DisposeAsync();
        }

        Postgres.Stop();
    }

    private static Dictionary<string, string> With(Dictionary<string, string> first, Dictionary<string, string> second) =>
        first.Concat(second).ToDictionary(p => p.Key, p => p.Value);

    private static async Task WaitListeningAsync(int port, TimeSpan timeout, ChaosProcess process)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"{process.Name} did not listen on port {port} within {timeout.TotalSeconds} s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
