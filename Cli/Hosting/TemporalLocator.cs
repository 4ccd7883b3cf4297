using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LeadFlow.Cli.Configuration;
using LeadFlow.EmbeddedTemporal;
using Temporalio.Client;
using Temporalio.Testing;

namespace LeadFlow.Cli.Hosting;

/// <summary>
/// Finds a Temporal server for a local run, in the documented order: <c>TEMPORAL_ADDRESS</c>; the <c>temporal</c>
/// CLI's dev server from the PATH; the SDK's downloadable dev server (skipped quickly when offline); the embedded
/// in-memory server. Each skipped choice is reported with the reason.
/// </summary>
public sealed class TemporalLocator(LocalRunOptions options, string @namespace, Action<string> note)
{
    public const string EnvironmentSource = "TEMPORAL_ADDRESS";
    public const string CliSource = "temporal CLI dev server";
    public const string DevServerSource = "Temporal SDK dev server";
    public const string EmbeddedSource = "embedded in-memory server";

    public const string EmbeddedWarning =
        "The embedded Temporal server is for local runs only: every workflow is lost when this process exits. " +
        "Install the temporal CLI or set TEMPORAL_ADDRESS for a real server.";

    /// <summary>Said when <c>TEMPORAL_ADDRESS</c> is used without <c>LeadFlow__TemporalUiUrl</c>.</summary>
    public const string NoUiUrlNote = "set LeadFlow__TemporalUiUrl to the Web UI of the server at TEMPORAL_ADDRESS (e.g. http://localhost:8080) for links to it";

    /// <summary>The server to use before any other (default: the <c>TEMPORAL_ADDRESS</c> environment variable).</summary>
    public string? EnvironmentAddress { get; init; } = Environment.GetEnvironmentVariable("TEMPORAL_ADDRESS");

    /// <summary>The server to use, with no codec server for a Web UI it starts.</summary>
    public Task<TemporalEndpoint> LocateAsync(int port, CancellationToken cancellationToken) => LocateAsync(port, null, cancellationToken);

    /// <param name="port">The gRPC port of a server this run starts (0: a free one).</param>
    /// <param name="codecEndpoint">The codec server (<c>.../codec</c>) a Web UI this run starts decodes payloads with; null: none.</param>
    /// <param name="cancellationToken">Stops the search and any server being started.</param>
    public async Task<TemporalEndpoint> LocateAsync(int port, Uri? codecEndpoint, CancellationToken cancellationToken)
    {
        var mode = options.Temporal;
        if (mode == TemporalMode.Auto && EnvironmentAddress is { Length: > 0 } address)
        {
            return new TemporalEndpoint(address, EnvironmentSource, WithSlash(options.TemporalUiUrl), null, null, options.TemporalUiUrl is null ? NoUiUrlNote : null);
        }

        if (mode is TemporalMode.Auto or TemporalMode.Cli)
        {
            if (FindOnPath("temporal") is { } cli)
            {
                return await StartCliDevServerAsync(cli, port, codecEndpoint, cancellationToken);
            }

            note("temporal CLI: not on the PATH");
            if (mode == TemporalMode.Cli)
            {
                throw new OptionsException("LeadFlow__Temporal=Cli, but no `temporal` executable is on the PATH.");
            }
        }

        if (mode is TemporalMode.Auto or TemporalMode.DevServer)
        {
            var devServer = await TryStartSdkDevServerAsync(codecEndpoint, cancellationToken);
            if (devServer is not null)
            {
                return devServer;
            }

            if (mode == TemporalMode.DevServer)
            {
                throw new OptionsException("LeadFlow__Temporal=DevServer, but the SDK's dev server could not be started (see above).");
            }
        }

        return await StartEmbeddedAsync(port, codecEndpoint, cancellationToken);
    }

    /// <summary>
    /// The embedded server with the Temporal Web UI on its HTTP port (gRPC port + 1000 when free, as the Temporal CLI).
    /// The UI comes from the build cache; when it was never built and npm is on the PATH it is built in the background
    /// (about a minute the first time) and appears at the same address when done; without npm the note says how to get it.
    /// </summary>
    private async Task<TemporalEndpoint> StartEmbeddedAsync(int port, Uri? codecEndpoint, CancellationToken cancellationToken)
    {
        var cached = WebUiAssets.Locate();
        var embedded = await EmbeddedTemporalServer.StartAsync(
            new EmbeddedTemporalOptions
            {
                Port = port == 0 ? 0 : FreeOr(port),
                UiPort = port == 0 ? 0 : null,
                WebUiAssetsDirectory = cached.Directory,
                // The UI's codec settings send payloads to this run's codec server, with the browser's cookie.
                CodecEndpoint = codecEndpoint,
                CodecIncludeCredentials = codecEndpoint is not null,
            },
            cancellationToken);
        if (cached.IsAvailable)
        {
            return new TemporalEndpoint(embedded.Address, EmbeddedSource, WithSlash(embedded.WebUiUrl), EmbeddedWarning, embedded);
        }

        embedded.SetWebUiUnavailableReason(cached.Message);
        if (FindOnPath("npm") is null)
        {
            // No way to build it here: say how to get it, and go on without.
            return new TemporalEndpoint(embedded.Address, EmbeddedSource, null, EmbeddedWarning, embedded, $"none yet: {cached.Message}");
        }

        var stopBuild = new CancellationTokenSource();
        var building = BuildWebUiAsync(embedded, stopBuild.Token);
        var owned = new AsyncDisposable(async () =>
        {
            await stopBuild.CancelAsync();
            await building;
            stopBuild.Dispose();
            await embedded.DisposeAsync();
        });
        return new TemporalEndpoint(embedded.Address, EmbeddedSource, WithSlash(embedded.WebUiUrl), EmbeddedWarning, owned,
            "being built with npm in the background (about a minute the first time, cached afterwards); until then the page says so");
    }

    private static async Task BuildWebUiAsync(EmbeddedTemporalServer server, CancellationToken cancellationToken)
    {
        try
        {
            var built = await WebUiAssets.LocateOrBuildAsync(cancellationToken: cancellationToken);
            if (built.Directory is { } directory)
            {
                server.AttachWebUi(directory);
            }
            else
            {
                server.SetWebUiUnavailableReason(built.Message);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while building: the next run starts the build again.
        }
    }

    private static Uri? WithSlash(Uri? url) =>
        url is null ? null : url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");

    private async Task<TemporalEndpoint> StartCliDevServerAsync(string cli, int port, Uri? codecEndpoint, CancellationToken cancellationToken)
    {
        var grpcPort = FreeOr(port);
        var uiPort = FreeOr(port == 7233 ? 8233 : 0);
        var start = new ProcessStartInfo(cli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "server", "start-dev", "--ip", "127.0.0.1", "--port", grpcPort.ToString(CultureInfo.InvariantCulture),
                     "--ui-port", uiPort.ToString(CultureInfo.InvariantCulture), "--namespace", @namespace, "--log-level", "error",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        if (codecEndpoint is not null)
        {
            start.ArgumentList.Add("--ui-codec-endpoint");
            start.ArgumentList.Add(codecEndpoint.ToString().TrimEnd('/'));
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {cli}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var owned = new ProcessLifetime(process);
        var address = $"127.0.0.1:{grpcPort.ToString(CultureInfo.InvariantCulture)}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(address) { Namespace = @namespace });
                return new TemporalEndpoint(address, CliSource, new Uri($"http://127.0.0.1:{uiPort.ToString(CultureInfo.InvariantCulture)}/"), null, owned);
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                // Still starting: the dev server opens its port a few seconds after launch.
                await Task.Delay(250, cancellationToken);
            }
            catch (Exception e)
            {
                await owned.DisposeAsync();
                throw new InvalidOperationException($"`temporal server start-dev` did not come up on {address}: {e.Message}", e);
            }
        }
    }

    private async Task<TemporalEndpoint?> TryStartSdkDevServerAsync(Uri? codecEndpoint, CancellationToken cancellationToken)
    {
        var uiPort = FreeOr(0);
        var starting = WorkflowEnvironment.StartLocalAsync(new WorkflowEnvironmentStartLocalOptions
        {
            Namespace = @namespace,
            UI = true,
            UIPort = uiPort,
            DevServerOptions = new DevServerOptions
            {
                LogLevel = "error",
                ExtraArgs = codecEndpoint is null ? null : ["--ui-codec-endpoint", codecEndpoint.ToString().TrimEnd('/')],
            },
        });
        try
        {
            var environment = await starting.WaitAsync(options.DevServerStartTimeout, cancellationToken);
            var address = environment.Client.Connection.Options.TargetHost ?? "";
            return new TemporalEndpoint(address, DevServerSource, new Uri($"http://127.0.0.1:{uiPort.ToString(CultureInfo.InvariantCulture)}/"), null,
                new AsyncDisposable(() => environment.ShutdownAsync()));
        }
        catch (TimeoutException)
        {
            // It may still come up later: shut it down then, it is not used.
            _ = starting.ContinueWith(t => t.Result.ShutdownAsync(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            note($"Temporal SDK dev server: not ready within {options.DevServerStartTimeout.TotalSeconds:0} s (offline? it is downloaded on first use; LeadFlow__DevServerStartTimeout)");
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            note($"Temporal SDK dev server: could not be started ({FirstLine(e.Message)})");
            return null;
        }
    }

    /// <summary>The gist of an SDK error: its first line, without the long download URL.</summary>
    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        var url = line.IndexOf(" for url", StringComparison.Ordinal);
        return url > 0 ? line[..url] : line.Length > 140 ? line[..140] + "..." : line;
    }

    /// <summary>The given port when it is free (or 0), else any free port.</summary>
    internal static int FreeOr(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        catch (SocketException)
        {
            return FreeOr(0);
        }
    }

    private static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);

    private sealed class ProcessLifetime(Process process) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    private sealed class AsyncDisposable(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }
}
