using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LeadFlow.EmbeddedTemporal;
using LeadFlow.Temporal;
using Temporalio.Client;

namespace LeadFlow.TestSupport;

/// <summary>
/// The Temporal endpoint of a test process, found once: <c>TEMPORAL_ADDRESS</c> when set, else the
/// <c>temporal</c> CLI dev server when it is on the PATH, else the embedded in-memory server. The same
/// suites run unchanged against all three.
/// </summary>
public static class TestTemporal
{
    private static readonly Lazy<Task<TestTemporalServer>> Server = new(StartAndDeclareAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The endpoint, with the lead search attributes declared in its namespace (as the worker does at start).</summary>
    public static Task<TestTemporalServer> GetAsync() => Server.Value;

    private static async Task<TestTemporalServer> StartAndDeclareAsync()
    {
        var server = await StartAsync().ConfigureAwait(false);
        await LeadSearchAttributeRegistration.EnsureAsync(await server.ConnectAsync().ConfigureAwait(false)).ConfigureAwait(false);
        return server;
    }

    private static async Task<TestTemporalServer> StartAsync()
    {
        var @namespace = Environment.GetEnvironmentVariable("TEMPORAL_NAMESPACE") is { Length: > 0 } configured ? configured : "default";
        if (Environment.GetEnvironmentVariable("TEMPORAL_ADDRESS") is { Length: > 0 } address)
        {
            return new TestTemporalServer(address, "env", @namespace);
        }

        if (FindOnPath("temporal") is { } cli)
        {
            return await StartCliDevServerAsync(cli).ConfigureAwait(false);
        }

        var embedded = await EmbeddedTemporalServer.StartAsync(new EmbeddedTemporalOptions { Port = 0 }).ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => embedded.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return new TestTemporalServer(embedded.Address, "embedded", "default");
    }

    private static async Task<TestTemporalServer> StartCliDevServerAsync(string cli)
    {
        var port = FreePort();
        var process = Process.Start(new ProcessStartInfo(cli)
        {
            ArgumentList = { "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log-level", "error" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"Could not start {cli}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        };

        var server = new TestTemporalServer($"127.0.0.1:{port}", "cli", "default");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await server.ConnectAsync().ConfigureAwait(false);
                return server;
            }
            catch (Exception error) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                // Still starting: the dev server opens its port a few seconds after launch.
                _ = error;
                await Task.Delay(250).ConfigureAwait(false);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
}

/// <summary>A Temporal endpoint for tests: where it is, what kind it is, and a client for it.</summary>
public sealed class TestTemporalServer
{
    internal TestTemporalServer(string address, string kind, string @namespace)
    {
        Address = address;
        Kind = kind;
        Namespace = @namespace;
    }

    /// <summary>host:port.</summary>
    public string Address { get; }

    /// <summary>"env" (TEMPORAL_ADDRESS), "cli" (temporal server start-dev) or "embedded".</summary>
    public string Kind { get; }

    public string Namespace { get; }

    /// <summary>A client set up as every host of the product sets one up (<see cref="TemporalConnectOptionsFactory"/>).</summary>
    public async Task<TemporalClient> ConnectAsync() =>
        await TemporalClient.ConnectAsync(await TemporalConnectOptionsFactory.CreateAsync(Options).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>The product's Temporal settings for this endpoint (<c>Temporal__*</c>), payloads encrypted with the fixture key (<see cref="TestEncryptionKeys"/>).</summary>
    public TemporalOptions Options => new() { Address = Address, Namespace = Namespace, Encryption = TestEncryptionKeys.Options() };
}
