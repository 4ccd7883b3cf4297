using LeadFlow.Temporal;
using LeadFlow.TestSupport;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Workflows.Tests;

/// <summary>The worker and the ingress hosts connect alike: plain for a local server, TLS with an API key or mTLS for Temporal Cloud.</summary>
public sealed class TemporalConnectionTests
{
    [Fact]
    public async Task LocalServer_ConnectsWithoutTls()
    {
        var connect = await TemporalConnectOptionsFactory.CreateAsync(new TemporalOptions { Address = "localhost:7233", Namespace = "default" });

        Assert.Equal("localhost:7233", connect.TargetHost);
        Assert.Equal("default", connect.Namespace);
        Assert.Null(connect.Tls);
        Assert.Null(connect.ApiKey);
    }

    [Fact]
    public async Task ApiKey_TurnsTlsOn()
    {
        var connect = await TemporalConnectOptionsFactory.CreateAsync(new TemporalOptions { Address = "ns.acct.tmprl.cloud:7233", Namespace = "ns.acct", ApiKey = "secret-key" });

        Assert.Equal("secret-key", connect.ApiKey);
        Assert.NotNull(connect.Tls);
        Assert.Null(connect.Tls.ClientCert);
    }

    [Fact]
    public async Task ClientCertificate_IsReadForMutualTls()
    {
        var folder = Directory.CreateTempSubdirectory("leadflow-mtls-");
        try
        {
            var cert = Path.Combine(folder.FullName, "client.pem");
            var key = Path.Combine(folder.FullName, "client.key");
            await File.WriteAllTextAsync(cert, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
            await File.WriteAllTextAsync(key, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");

            var connect = await TemporalConnectOptionsFactory.CreateAsync(new TemporalOptions
            {
                Address = "temporal.internal:7233",
                Tls = new TemporalTlsOptions { ClientCertPath = cert, ClientKeyPath = key, Domain = "temporal.internal" },
            });

            Assert.NotNull(connect.Tls);
            Assert.Equal(await File.ReadAllBytesAsync(cert), connect.Tls.ClientCert);
            Assert.Equal(await File.ReadAllBytesAsync(key), connect.Tls.ClientPrivateKey);
            Assert.Equal("temporal.internal", connect.Tls.Domain);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("temporal.internal:7233", false, true)]
    [InlineData("ns.acct.tmprl.cloud:7233", false, true)]
    [InlineData("localhost:7233", false, false)]
    [InlineData("127.0.0.1:7233", false, false)]
    [InlineData("temporal.internal:7233", true, false)]
    public async Task WithoutAKey_AgainstANonLocalServer_TheWorkerWarnsAtStart(string address, bool withKey, bool warns)
    {
        // The worker and the ingress hosts connect through this factory with their logger factory, at start.
        var logs = new LogCapture();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));

        await TemporalConnectOptionsFactory.CreateAsync(
            new TemporalOptions { Address = address, Namespace = "default", Encryption = withKey ? TestEncryptionKeys.Options() : new() },
            loggerFactory);

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("NOT encrypted", StringComparison.Ordinal)).ToList();
        Assert.Equal(warns, warnings.Count == 1);
        Assert.All(warnings, w => Assert.Contains("LeadFlow__Encryption__ActiveKeyId", w.Message, StringComparison.Ordinal));
    }
}
