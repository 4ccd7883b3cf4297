using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LeadFlow.Ingress.Codec;
using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Temporalio.Api.Common.V1;

namespace LeadFlow.Ingress.Tests;

/// <summary>
/// The codec server (<c>Ingress/LeadFlow.Ingress.Codec</c>) on real Kestrel, called as the Temporal Web UI and CLI call
/// it (Temporal's remote codec protocol: <c>POST {endpoint}/decode|encode</c>, protobuf JSON, <c>X-Namespace</c>).
/// </summary>
public sealed class CodecServerTests : IAsyncLifetime
{
    private const string Token = "0123456789abcdef0123456789abcdef-operators";
    private const string UiOrigin = "http://localhost:8233";
    private static readonly byte[] Key = EncryptionKeyRing.NewKey();
    private readonly LogCapture logs = new();
    private WebApplication app = null!;
    private Uri codec = null!;

    public async Task InitializeAsync()
    {
        app = CodecServerApp.Build(
            ["--urls", "http://127.0.0.1:0", "--environment", "Production"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["LeadFlow:Encryption:ActiveKeyId"] = "k1",
                    ["LeadFlow:Encryption:Keys:k1"] = Convert.ToBase64String(Key),
                    ["Codec:AccessTokens:operators"] = Token,
                    ["Codec:AllowedOrigins:0"] = UiOrigin,
                    ["Codec:Namespaces:0"] = "default",
                    ["Codec:SignInLinks"] = "true",
                });
                builder.Logging.AddProvider(logs);
            });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        codec = new Uri(address.TrimEnd('/') + "/codec/");
    }

    public async Task DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task EncodeThenDecode_RoundTrips_AndEncodedPayloadsNameTheKey()
    {
        using var http = new HttpClient();
        var plain = new Payload { Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") }, Data = ByteString.CopyFromUtf8("""{"mail":"acooper@example.com"}""") };

        using var encoded = await http.SendAsync(Call("encode", new Payloads { Payloads_ = { plain } }, bearer: Token));
        Assert.Equal(HttpStatusCode.OK, encoded.StatusCode);
        var ciphertext = JsonParser.Default.Parse<Payloads>(await encoded.Content.ReadAsStringAsync());
        var payload = Assert.Single(ciphertext.Payloads_);
        Assert.True(AesGcmPayloadCodec.IsEncrypted(payload));
        Assert.Equal("k1", AesGcmPayloadCodec.KeyIdOf(payload));
        Assert.DoesNotContain("acooper", payload.ToByteString().ToStringUtf8(), StringComparison.Ordinal);

        using var decoded = await http.SendAsync(Call("decode", ciphertext, apiKey: Token));
        Assert.Equal(HttpStatusCode.OK, decoded.StatusCode);
        Assert.Equal(plain, Assert.Single(JsonParser.Default.Parse<Payloads>(await decoded.Content.ReadAsStringAsync()).Payloads_));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token-not-the-token-not-the-token")]
    public async Task Decode_WithoutValidCredentials_Is401(string? bearer)
    {
        using var http = new HttpClient();

        using var refused = await http.SendAsync(Call("decode", new Payloads(), bearer: bearer));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("codec.credentials", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(UiOrigin, true)]
    [InlineData("http://evil.example", false)]
    public async Task Preflight_IsAnsweredForTheConfiguredOriginOnly(string origin, bool allowed)
    {
        using var http = new HttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(codec, "decode"));
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-namespace");

        using var answer = await http.SendAsync(preflight);

        Assert.Equal(allowed, answer.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins) && origins.Single() == origin);
        if (allowed)
        {
            Assert.Equal("true", answer.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        }
    }

    /// <summary>How an operator of docker compose signs the Web UI's browser in: a token holder asks for a link, the browser opens it once.</summary>
    [Fact]
    public async Task SignInLink_MadeWithTheToken_GivesABrowserSessionOnce_AndASessionCannotMakeLinks()
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler);
        using var operatorHttp = new HttpClient();

        using (var refused = await browser.PostAsync(new Uri(codec, "sign-in-links"), null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var made = await operatorHttp.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(codec, "sign-in-links")) { Headers = { { "Authorization", $"Bearer {Token}" } } });
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        var link = new Uri(JsonDocument.Parse(await made.Content.ReadAsStringAsync()).RootElement.GetProperty("link").GetString()!);
        Assert.StartsWith(new Uri(codec, "sign-in?code=").ToString(), link.ToString(), StringComparison.Ordinal);

        (await browser.GetAsync(link)).EnsureSuccessStatusCode();
        using var another = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await another.GetAsync(link)).StatusCode);
        using var decoded = await browser.SendAsync(Call("decode", new Payloads()));
        Assert.Equal(HttpStatusCode.OK, decoded.StatusCode);
        using var notFromASession = await browser.PostAsync(new Uri(codec, "sign-in-links"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, notFromASession.StatusCode);

        // The request log (ASP.NET Core's, at Information) would carry the link's code: the logs hold no credential.
        var code = link.Query["?code=".Length..];
        Assert.Contains(logs.Entries, e => e.Message.Contains("sign-in link made for operators", StringComparison.Ordinal));
        Assert.DoesNotContain(code, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, logs.AllText, StringComparison.Ordinal);
    }

    private HttpRequestMessage Call(string operation, Payloads payloads, string? bearer = null, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(codec, operation))
        {
            Content = new StringContent(JsonFormatter.Default.Format(payloads), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Namespace", "default");
        if (bearer is not null)
        {
            request.Headers.Add("Authorization", $"Bearer {bearer}");
        }

        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        return request;
    }
}
