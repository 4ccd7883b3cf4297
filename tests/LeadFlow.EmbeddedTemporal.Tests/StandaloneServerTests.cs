using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>
/// The standalone server as the README runs it (<c>dotnet run --project EmbeddedTemporal -- --port 7233</c>) and as
/// docker and CI stop it (SIGTERM): the built program, a real SDK client, a clean exit.
/// </summary>
public sealed class StandaloneServerTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private const int SigTerm = 15;

    [Fact]
    public async Task StandaloneServer_ServesTheSdkOnItsPort_AndExitsZeroOnSigterm()
    {
        var port = FreePort();
        // No npm build in the background during a test (test.sh builds the UI once, before all tests).
        using var server = Start("--port", port.ToString(CultureInfo.InvariantCulture), "--ui-build", "never");
        try
        {
            var listening = await WaitForLineAsync(server, "listening on");
            Assert.Contains($":{port}", listening, StringComparison.Ordinal);

            var client = await TemporalClient.ConnectAsync(new($"127.0.0.1:{port}") { Namespace = "default" });
            var info = await client.Connection.WorkflowService.GetSystemInfoAsync(new GetSystemInfoRequest());
            Assert.NotNull(info.Capabilities);
            var workflows = await client.ListWorkflowsAsync("").ToListAsync();
            Assert.Empty(workflows);

            Assert.Equal(0, Kill(server.Id, SigTerm));
            using var stopped = new CancellationTokenSource(StopTimeout);
            await server.WaitForExitAsync(stopped.Token);
            Assert.Equal(0, server.ExitCode);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task StandaloneServer_ServesTheWebUiSettingsAndApiOnItsUiPort()
    {
        var port = FreePort();
        using var server = Start("--port", port.ToString(CultureInfo.InvariantCulture), "--ui-port", "0", "--ui-build", "never");
        try
        {
            var line = await WaitForLineAsync(server, "Temporal Web UI: http://");
            var url = new Uri(line[(line.IndexOf("http://", StringComparison.Ordinal))..].Trim());
            using var http = new HttpClient { BaseAddress = url };

            using var settings = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/settings", UriKind.Relative)));
            Assert.Equal("2.38.0", settings.RootElement.GetProperty("Version").GetString());
            using var namespaces = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/namespaces", UriKind.Relative)));
            Assert.Equal("default", namespaces.RootElement.GetProperty("namespaces")[0].GetProperty("namespaceInfo").GetProperty("name").GetString());

            // Built UI or not, the root answers: the UI itself, or a page saying how to get it.
            using var root = await http.GetAsync(new Uri("/", UriKind.Relative));
            var page = await root.Content.ReadAsStringAsync();
            Assert.True(
                (root.StatusCode == HttpStatusCode.OK && page.Contains("_app/immutable", StringComparison.Ordinal))
                || (root.StatusCode == HttpStatusCode.ServiceUnavailable && page.Contains("--ui-build only", StringComparison.Ordinal)),
                $"{(int)root.StatusCode}: {page}");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task StandaloneServer_WithoutABuiltUi_StartsAtOnce_AndAttachesTheUiWhenTheBackgroundBuildIsDone()
    {
        var cache = Directory.CreateTempSubdirectory("leadflow-webui-cache-").FullName;
        var tools = Directory.CreateTempSubdirectory("leadflow-fake-npm-").FullName;
        try
        {
            // npm stands in for the real build (seconds instead of minutes); the server must not wait for it.
            var npm = Path.Combine(tools, "npm");
            await File.WriteAllTextAsync(npm, "#!/bin/sh\nif [ \"$1\" = run ]; then sleep 1; mkdir -p build && echo '<html>built ui</html>' > build/index.html; fi\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var environment = new Dictionary<string, string>
            {
                ["PATH"] = $"{tools}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}",
                ["LEADFLOW_WEBUI_CACHE"] = cache,
                ["LEADFLOW_WEBUI_DIR"] = string.Empty,
            };
            using var server = Start(environment, "--port", FreePort().ToString(CultureInfo.InvariantCulture), "--ui-port", "0");
            try
            {
                var line = await WaitForLineAsync(server, "Temporal Web UI: http://");
                using var http = new HttpClient { BaseAddress = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim()) };

                // Until the build is done the port answers 503 with a page saying how to get the UI.
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                while (true)
                {
                    using var response = await http.GetAsync(new Uri("/namespaces/default/workflows", UriKind.Relative));
                    var page = await response.Content.ReadAsStringAsync();
                    if (page.Contains("built ui", StringComparison.Ordinal))
                    {
                        break;
                    }

                    Assert.True(DateTime.UtcNow < deadline, $"the UI built in the background was never served; last answer: {(int)response.StatusCode} {page}");
                    await Task.Delay(200);
                }
            }
            finally
            {
                if (!server.HasExited)
                {
                    server.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
            Directory.Delete(tools, recursive: true);
        }
    }

    private static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    private static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "LeadFlow.EmbeddedTemporal.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; the test project references EmbeddedTemporal through TestSupport");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task<string> WaitForLineAsync(Process server, string text)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        // Standard error is drained so a chatty server never blocks on a full pipe.
        _ = server.StandardError.ReadToEndAsync(CancellationToken.None);
        while (await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                // Keep draining standard output for the rest of the server's life.
                _ = server.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return line;
            }
        }

        await server.WaitForExitAsync(timeout.Token);
        throw new InvalidOperationException($"the server exited with {server.ExitCode} before printing '{text}'");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Process.Kill sends SIGKILL; docker stop and CI send SIGTERM, which is what the server must handle.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
