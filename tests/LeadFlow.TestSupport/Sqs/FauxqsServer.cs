using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace LeadFlow.TestSupport.Sqs;

/// <summary>
/// The fauxqs SQS emulator (npm, tests/node) as a child process on a free loopback port, waited
/// for until it answers, killed by its process id on dispose. On a fresh clone it runs <c>npm ci</c> in tests/node
/// first (once, under a lock file, so test processes and benchmarks started together do not race).
/// </summary>
public sealed class FauxqsServer : IAsyncDisposable
{
    public const string Region = "us-east-1";

    private readonly Process _process;

    private FauxqsServer(Process process, Uri serviceUrl)
    {
        _process = process;
        ServiceUrl = serviceUrl;
    }

    /// <summary>The SQS endpoint, e.g. <c>http://127.0.0.1:40123/</c> (<c>Ingress__Sqs__ServiceUrl</c>).</summary>
    public Uri ServiceUrl { get; }

    public int ProcessId => _process.Id;

    public static async Task<FauxqsServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var cli = await NodeTools.FindOrInstallAsync(Path.Combine("fauxqs", "dist", "cli.js"), cancellationToken);
        var port = FreePort();
        var start = new ProcessStartInfo("node", [cli])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["FAUXQS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["FAUXQS_HOST"] = "localhost";
        start.Environment["FAUXQS_LOGGER"] = "false";
        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new FauxqsServer(process, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"fauxqs exited with code {process.ExitCode}: {output}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri(server.ServiceUrl, "_fauxqs/queues"), cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"fauxqs did not answer on port {port} within 30 s: {output}");
    }

    /// <summary>An SQS client for the emulator (dummy credentials; fauxqs does not check them).</summary>
    public IAmazonSQS CreateClient() =>
        new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = ServiceUrl.ToString(), AuthenticationRegion = Region });

    /// <summary>A queue whose redrive policy moves a message to a new dead-letter queue after <paramref name="maxReceiveCount"/> receives.</summary>
    public async Task<(string QueueUrl, string DeadLetterQueueUrl)> CreateQueueWithDeadLetterQueueAsync(
        string name, int maxReceiveCount, int visibilityTimeoutSeconds = 30, CancellationToken cancellationToken = default)
    {
        using var sqs = CreateClient();
        var dlq = await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name + "-dlq" }, cancellationToken);
        var dlqArn = (await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest(dlq.QueueUrl, ["QueueArn"]), cancellationToken)).QueueARN;
        var redrive = JsonSerializer.Serialize(new { deadLetterTargetArn = dlqArn, maxReceiveCount = maxReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var queue = await sqs.CreateQueueAsync(
            new CreateQueueRequest
            {
                QueueName = name,
                Attributes = new Dictionary<string, string>
                {
                    ["RedrivePolicy"] = redrive,
                    ["VisibilityTimeout"] = visibilityTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            },
            cancellationToken);
        return (queue.QueueUrl, dlq.QueueUrl);
    }

    /// <summary>Messages in the queue, ready, in flight or delayed, without receiving them (fauxqs' inspection endpoint).</summary>
    public async Task<QueueContents> InspectAsync(string queueUrl, CancellationToken cancellationToken = default)
    {
        var name = queueUrl.TrimEnd('/').Split('/')[^1];
        using var http = new HttpClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(ServiceUrl, $"_fauxqs/queues/{Uri.EscapeDataString(name)}"), cancellationToken));
        var messages = document.RootElement.GetProperty("messages");
        var ready = Bodies(messages.GetProperty("ready"));
        var inflight = Bodies(messages.GetProperty("inflight"));
        var delayed = Bodies(messages.GetProperty("delayed"));
        var all = new[] { "ready", "inflight", "delayed" }.SelectMany(state => Messages(messages.GetProperty(state), state)).ToList();
        return new QueueContents(ready, inflight, delayed) { Messages = all };
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static IEnumerable<QueuedMessage> Messages(JsonElement list, string state) =>
        list.EnumerateArray()
            .Select(m => m.TryGetProperty("message", out var inner) ? inner : m)
            .Select(m => new QueuedMessage(
                m.TryGetProperty("body", out var body) ? body.GetString() ?? "" : "",
                m.TryGetProperty("approximateReceiveCount", out var count) && count.TryGetInt32(out var n) ? n : 0,
                state,
                m.TryGetProperty("messageAttributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object
                    ? attributes.EnumerateObject().ToDictionary(a => a.Name, a => a.Value.TryGetProperty("StringValue", out var v) ? v.GetString() ?? "" : a.Value.GetRawText())
                    : []));

    private static List<string> Bodies(JsonElement list) =>
        list.EnumerateArray()
            .Select(m => m.TryGetProperty("message", out var inner) ? inner : m)
            .Select(m => m.TryGetProperty("body", out var body) ? body.GetString() ?? "" : m.GetRawText())
            .ToList();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Message bodies by state, and every message with its receive count and attributes.</summary>
public sealed record QueueContents(IReadOnlyList<string> Ready, IReadOnlyList<string> InFlight, IReadOnlyList<string> Delayed)
{
    /// <summary>Every message, ready, in flight or delayed.</summary>
    public IReadOnlyList<QueuedMessage> Messages { get; init; } = [];

    public IEnumerable<string> All => Ready.Concat(InFlight).Concat(Delayed);

    public int Count => Ready.Count + InFlight.Count + Delayed.Count;
}

/// <summary>One message as fauxqs holds it.</summary>
/// <param name="ReceiveCount">How often it was received (SQS's ApproximateReceiveCount).</param>
/// <param name="State"><c>ready</c>, <c>inflight</c> or <c>delayed</c>.</param>
/// <param name="Attributes">Its message attributes' string values by name.</param>
public sealed record QueuedMessage(string Body, int ReceiveCount, string State, IReadOnlyDictionary<string, string> Attributes);
