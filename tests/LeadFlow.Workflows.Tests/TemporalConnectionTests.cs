using LeadFlow.Temporal;

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
}
