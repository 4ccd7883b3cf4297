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
/// for until it answers, killed by its process id on dispose. Needs <c>npm ci</c> in tests/node.
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
        var cli = FindCli();
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
        return new QueueContents(ready, inflight, delayed);
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

    private static string FindCli()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var cli = Path.Combine(dir.FullName, "tests", "node", "node_modules", "fauxqs", "dist", "cli.js");
            if (File.Exists(cli))
            {
                return cli;
            }
        }

        throw new FileNotFoundException("fauxqs is not installed: run `npm ci` in tests/node (test.sh does).");
    }
}

/// <summary>Message bodies by state.</summary>
public sealed record QueueContents(IReadOnlyList<string> Ready, IReadOnlyList<string> InFlight, IReadOnlyList<string> Delayed)
{
    public IEnumerable<string> All => Ready.Concat(InFlight).Concat(Delayed);

    public int Count => Ready.Count + InFlight.Count + Delayed.Count;
}
