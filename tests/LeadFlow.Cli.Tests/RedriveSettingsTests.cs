using System.Net;
using System.Net.Sockets;
using LeadFlow.Cli.Tests.Support;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// <c>leadflow redrive</c> binds and validates the same <c>Temporal__*</c> settings as the worker and the ingress hosts,
/// so it reaches Temporal Cloud (API key, TLS, mTLS) and refuses a half-set configuration before it connects.
/// </summary>
public sealed class RedriveSettingsTests
{
    [Theory]
    [InlineData("Temporal:Tls:ClientCert", "-----BEGIN CERTIFICATE-----", "Temporal__Tls__ClientKey")]
    [InlineData("Temporal:Tls:ServerRootCaCertPath", "/nonexistent/ca.pem", "Temporal__Tls__ServerRootCaCertPath")]
    public async Task AWrongTemporalSetting_IsAConfigurationError_NamingTheVariable(string key, string value, string variable)
    {
        var run = await CliRun.RunAsync(["redrive", "lead-x", "--temporal-address", "127.0.0.1:7233"], new Dictionary<string, string?> { [key] = value });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Configuration error", run.Output, StringComparison.Ordinal);
        Assert.Contains(variable, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTemporalApiKey_TurnsTlsOn_AsTemporalCloudNeeds()
    {
        // A plain TCP listener stands in for the frontend: the first byte a client sends is 0x16 (a TLS handshake
        // record, RFC 8446 section 5.1) when TLS is on, and an HTTP/2 preface ('P') when it is not.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var redrive = CliRun.RunAsync(
            ["redrive", "lead-x", "--temporal-address", $"127.0.0.1:{port}"],
            new Dictionary<string, string?> { ["Temporal:ApiKey"] = "test-api-key", ["Temporal:RpcTimeoutSeconds"] = "2" });

        using var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var first = new byte[1];
        var read = await client.GetStream().ReadAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        client.Close();
        listener.Stop();

        Assert.Equal(1, read);
        Assert.Equal(0x16, first[0]);
        var run = await redrive.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, run.ExitCode);
    }
}
