using System.Text;
using System.Text.Json;
using LeadFlow.Cli.Configuration;
using LeadFlow.Cli.Demo;
using LeadFlow.Cli.Hosting;
using LeadFlow.Cli.Http;
using LeadFlow.Ingress.Http;
using LeadFlow.Temporal;
using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using LeadFlow.Workflows;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// The demo's six leads (faults included) through the local stack as <c>leadflow demo</c> starts it, then every history
/// read straight from Temporal's gRPC API: without the codec its bytes hold none of the leads' RUTs, phones or mails;
/// through the codec (the local key file) they are all there, and the embedded Web UI gets them decrypted from the
/// stack's codec server.
/// </summary>
public sealed class PersonalDataTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DemoLeads_HistoriesHoldNoPersonalDataInTheClear_AndDecodeWithTheLocalKey()
    {
        var leads = DemoLeads.Create("pii" + Guid.NewGuid().ToString("N")[..6], new Random());
        var faults = new DemoFaults();
        foreach (var lead in leads.Where(l => l.Fault is not null))
        {
            faults.Add(lead.Rut, lead.Fault!);
        }

        var settings = StackSettings.For(new ConfigurationBuilder().Build(), new LocalRunOptions { Temporal = TemporalMode.Embedded }, demo: true);
        var logs = new LogBuffer(LogLevel.Information, echo: null);
        await using var stack = await LocalStack.StartAsync(settings, logs, (_, _) => { }, faults.Install, CancellationToken.None);

        var keyFile = Path.Combine(settings.KeyDirectory, LocalEncryptionKeys.FileName);
        Assert.True(File.Exists(keyFile), $"the local key file {keyFile} was not made");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        using var intake = IntakeClient.For(stack.IntakeUrl, settings.IntakeApiKey);
        foreach (var lead in leads)
        {
            var envelope = Encoding.UTF8.GetString(IntakeBody.Wrap(lead.EventId, "crm.leads", "LeadSubmitted", JsonSerializer.SerializeToElement(lead.Detail), time: null, resources: null));
            for (var i = 0; i < lead.Deliveries; i++)
            {
                await intake.PostEventsAsync(envelope, CancellationToken.None);
            }
        }

        var withCodec = await TemporalClient.ConnectAsync(await TemporalConnectOptionsFactory.CreateAsync(new TemporalOptions
        {
            Address = stack.Temporal.Address,
            Namespace = settings.Namespace,
            Encryption = new PayloadEncryptionOptions { KeyFile = keyFile },
        }));
        await WaitUntilClosedAsync(withCodec, leads);

        var raw = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(stack.Temporal.Address) { Namespace = settings.Namespace });
        foreach (var lead in leads)
        {
            var history = await raw.WorkflowService.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
            {
                Namespace = settings.Namespace,
                Execution = new() { WorkflowId = lead.WorkflowId },
                MaximumPageSize = 1000,
            });
            var bytes = Encoding.UTF8.GetString(history.ToByteArray());
            var secrets = PersonalData(lead);
            foreach (var secret in secrets)
            {
                Assert.False(bytes.Contains(secret, StringComparison.Ordinal), $"{lead.Label}: the raw history of {lead.WorkflowId} holds \"{secret}\" in the clear");
            }

            Assert.All(HistoryPayloads.All(history.History.Events), p => Assert.True(AesGcmPayloadCodec.IsEncrypted(p), $"{lead.Label}: a payload is not encrypted: {p}"));

            var decoded = await HistoryPayloads.DecodedTextAsync(history.History.Events, withCodec.Options.DataConverter);
            output.WriteLine($"{lead.Label}: {history.History.Events.Count} events, {bytes.Length} bytes, decoded text {decoded.Length} chars");
            foreach (var secret in new[] { (string)lead.Detail["mail"]!, (string)lead.Detail["rut"]! })
            {
                Assert.Contains(secret, decoded, StringComparison.Ordinal);
            }
        }

        // The stack's log, as `--verbose` shows it: the workflow's own lines are there (the SDK's filter once hid them),
        // and no line holds a lead's RUT, phone or mail.
        var lines = logs.Lines;
        foreach (var lead in leads.Where(l => l.Expected == LeadOutcome.Completed))
        {
            Assert.Contains(lines, line => line.Contains($"Lead {lead.WorkflowId} completed: client ", StringComparison.Ordinal));
        }

        foreach (var secret in leads.SelectMany(PersonalData).Distinct())
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
        }

        var firstHistory = await raw.WorkflowService.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
        {
            Namespace = settings.Namespace,
            Execution = new() { WorkflowId = leads[0].WorkflowId },
        });
        await AssertTheWebUiDecodesThroughTheCodecServerAsync(
            stack, settings.Namespace, firstHistory.History.Events[0].WorkflowExecutionStartedEventAttributes.Input, (string)leads[0].Detail["mail"]!);
    }

    /// <summary>
    /// The embedded Web UI's own settings name the stack's codec server with cookies on, and the codec server answers the
    /// UI's call as @temporalio/ui 2.38 makes it (services/data-encoder.js: <c>POST {endpoint}/decode</c>, JSON payloads,
    /// <c>X-Namespace</c>, <c>credentials: 'include'</c>, from the UI's origin): refused before the sign-in link was
    /// opened, decrypted (with CORS for that origin and credentials) after.
    /// </summary>
    private static async Task AssertTheWebUiDecodesThroughTheCodecServerAsync(LocalStack stack, string @namespace, Temporalio.Api.Common.V1.Payloads encrypted, string expected)
    {
        var ui = stack.Temporal.WebUiUrl;
        Assert.NotNull(ui);
        using var handler = new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() };
        using var http = new HttpClient(handler);
        using var settings = JsonDocument.Parse(await http.GetStringAsync(new Uri(ui, "/api/v1/settings")));
        var codec = settings.RootElement.GetProperty("Codec");
        Assert.Equal(stack.CodecUrl.ToString().TrimEnd('/'), codec.GetProperty("Endpoint").GetString()!.TrimEnd('/'));
        Assert.True(codec.GetProperty("IncludeCredentials").GetBoolean());

        var origin = $"{ui.Scheme}://{ui.Authority}";
        HttpRequestMessage Decode()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, codec.GetProperty("Endpoint").GetString()!.TrimEnd('/') + "/decode")
            {
                Content = new StringContent(JsonFormatter.Default.Format(encrypted), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Origin", origin);
            request.Headers.Add("X-Namespace", @namespace);
            return request;
        }

        using (var refused = await http.SendAsync(Decode()))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        (await http.GetAsync(stack.CodecSignInLink)).EnsureSuccessStatusCode();
        using var decoded = await http.SendAsync(Decode());
        Assert.Equal(System.Net.HttpStatusCode.OK, decoded.StatusCode);
        Assert.Equal(origin, decoded.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", decoded.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var payloads = JsonParser.Default.Parse<Temporalio.Api.Common.V1.Payloads>(await decoded.Content.ReadAsStringAsync());
        Assert.Contains(expected, string.Concat(payloads.Payloads_.Select(p => p.Data.ToStringUtf8())), StringComparison.Ordinal);
    }

    /// <summary>Every spelling of the lead's RUT, phone and mail that a history could hold.</summary>
    private static IReadOnlyList<string> PersonalData(DemoLead lead)
    {
        var rut = (string)lead.Detail["rut"]!;
        var phone = lead.Detail["phone"]!.ToJsonString().Trim('"');
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        return [rut, rut.Replace(".", "", StringComparison.Ordinal), rut.Split('-')[0].Replace(".", "", StringComparison.Ordinal), phone, digits, (string)lead.Detail["mail"]!];
    }

    private static async Task WaitUntilClosedAsync(TemporalClient client, IReadOnlyList<DemoLead> leads)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        foreach (var lead in leads)
        {
            while ((await client.GetWorkflowHandle(lead.WorkflowId).DescribeAsync()).Status == WorkflowExecutionStatus.Running)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{lead.Label} did not finish within 3 minutes");
                await Task.Delay(200);
            }
        }
    }
}
