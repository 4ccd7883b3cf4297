using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace LeadFlow.Cli.Hosting;

/// <summary>
/// The standalone Aspire dashboard (NuGet <c>Aspire.Dashboard.Sdk.linux-x64</c>, downloaded at build time) as a child
/// process on 127.0.0.1: its UI, an OTLP/gRPC and an OTLP/HTTP endpoint, anonymous access and its telemetry API
/// (<c>/api/telemetry/*</c>) on, for this machine only. It keeps what it is sent in memory. Stopped by <see cref="DisposeAsync"/>.
/// </summary>
public sealed class LocalDashboard : IAsyncDisposable
{
    /// <summary>Where the build put the dashboard's executable (the NuGet cache); <c>LeadFlow__DashboardPath</c> overrides it.</summary>
    public static string? BuiltPath => typeof(LocalDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "LeadFlow.AspireDashboard")?.Value;

    private readonly Process process;

    private LocalDashboard(Process process, Uri url, Uri otlpGrpc, Uri otlpHttp)
    {
        this.process = process;
        Url = url;
        OtlpGrpcUrl = otlpGrpc;
        OtlpHttpUrl = otlpHttp;
    }

    /// <summary>The dashboard's UI.</summary>
    public Uri Url { get; }

    /// <summary>Its OTLP/gRPC endpoint: what <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> of every part is set to.</summary>
    public Uri OtlpGrpcUrl { get; }

    /// <summary>Its OTLP/HTTP endpoint (for browsers and <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>).</summary>
    public Uri OtlpHttpUrl { get; }

    /// <summary>The CPU time the dashboard's process has used so far (what ingesting telemetry costs the machine).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            process.Refresh();
            return process.HasExited ? TimeSpan.Zero : process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// How many spans the dashboard holds: its telemetry API's <c>totalCount</c> for <c>GET /api/telemetry/spans</c>
    /// (Aspire dashboard HTTP API). It keeps at most 10,000 traces by default (<c>Dashboard__TelemetryLimits__MaxTraceCount</c>),
    /// dropping the oldest beyond.
    /// </summary>
    /// <exception cref="HttpRequestException">The dashboard did not answer with a success status.</exception>
    public Task<long> SpanCountAsync(CancellationToken cancellationToken) => CountAsync("spans", cancellationToken);

    /// <summary>
    /// How many log records the dashboard holds (<c>GET /api/telemetry/logs</c>, <c>totalCount</c>); at most 10,000 by
    /// default (<c>Dashboard__TelemetryLimits__MaxLogCount</c>).
    /// </summary>
    /// <exception cref="HttpRequestException">The dashboard did not answer with a success status.</exception>
    public Task<long> LogCountAsync(CancellationToken cancellationToken) => CountAsync("logs", cancellationToken);

    private async Task<long> CountAsync(string signal, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var answer = await http.GetAsync(new Uri(Url, $"api/telemetry/{signal}?limit=1"), cancellationToken);
        answer.EnsureSuccessStatusCode();
        using var body = await JsonDocument.ParseAsync(await answer.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return body.RootElement.GetProperty("totalCount").GetInt64();
    }

    /// <summary>The page of one trace (32 hex digits).</summary>
    public Uri TracePage(string traceId) => new(Url, $"traces/detail/{traceId}");

    /// <summary>Starts the dashboard and waits until its UI answers.</summary>
    /// <param name="path">The executable; null: <see cref="BuiltPath"/>.</param>
    /// <param name="uiPort">The UI's port (0: a free one). The OTLP ports are always free ones.</param>
    /// <exception cref="DashboardUnavailableException">No executable, or it did not answer in time; the message says why.</exception>
    public static async Task<LocalDashboard> StartAsync(string? path, int uiPort, CancellationToken cancellationToken)
    {
        path ??= BuiltPath;
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new DashboardUnavailableException($"the Aspire dashboard executable is not at '{path}' (restore the CLI project, or set LeadFlow__DashboardPath)");
        }

        EnsureExecutable(path);
        var url = new Uri($"http://127.0.0.1:{TemporalLocator.FreeOr(uiPort).ToString(CultureInfo.InvariantCulture)}/");
        var grpc = new Uri($"http://127.0.0.1:{TemporalLocator.FreeOr(0).ToString(CultureInfo.InvariantCulture)}");
        var http = new Uri($"http://127.0.0.1:{TemporalLocator.FreeOr(0).ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo(path)
        {
            WorkingDirectory = Path.GetDirectoryName(path)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["ASPNETCORE_URLS"] = url.GetLeftPart(UriPartial.Authority),
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = grpc.GetLeftPart(UriPartial.Authority),
                ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = http.GetLeftPart(UriPartial.Authority),
                // This machine only: no browser token, no OTLP key, and the telemetry API readable (tests and scripts use it).
                ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
                ["Dashboard__Api__Enabled"] = "true",
                ["DOTNET_ENVIRONMENT"] = "Production",
                // A local tool beside the whole stack: workstation GC (less memory on a small machine), and no line per OTLP request in its output.
                ["DOTNET_gcServer"] = "0",
                ["Logging__LogLevel__Default"] = "Warning",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            },
        };
        var process = Process.Start(start) ?? throw new DashboardUnavailableException($"'{path}' did not start");
        var output = new List<string>();
        void Keep(object? _, DataReceivedEventArgs line)
        {
            if (line.Data is { } text)
            {
                lock (output)
                {
                    output.Add(text);
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var dashboard = new LocalDashboard(process, url, grpc, http);
        try
        {
            await dashboard.WaitUntilUpAsync(cancellationToken);
            return dashboard;
        }
        catch (DashboardUnavailableException e)
        {
            await dashboard.DisposeAsync();
            string said;
            lock (output)
            {
                said = string.Join(" | ", output.TakeLast(5));
            }

            throw new DashboardUnavailableException($"{e.Message}; it said: {said}");
        }
    }

    private async Task WaitUntilUpAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new DashboardUnavailableException($"the Aspire dashboard exited with code {process.ExitCode}");
            }

            try
            {
                using var answer = await http.GetAsync(new Uri(Url, "api/telemetry/resources"), cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // That attempt timed out; try again until the deadline.
            }
        }

        throw new DashboardUnavailableException($"the Aspire dashboard did not answer on {Url} within 30 s");
    }

    /// <summary>NuGet extracts the executable without its run bit on some systems.</summary>
    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            try
            {
                File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new DashboardUnavailableException($"'{path}' is not executable and this user may not change that ({e.Message}); run chmod +x on it");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        process.Dispose();
    }
}

/// <summary>The Aspire dashboard could not be started; the message says why. The stack runs on without it.</summary>
public sealed class DashboardUnavailableException(string message) : Exception(message);
