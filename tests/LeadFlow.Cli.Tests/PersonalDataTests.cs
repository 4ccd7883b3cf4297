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
/// through the codec (the local key file) they are all there.
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
        var logs = new LogBuffer(LogLevel.Warning, echo: null);
        await using var stack = await LocalStack.StartAsync(settings, logs, (_, _) => { }, faults.Install, CancellationToken.None);

        var keyFile = Path.Combine(settings.KeyDirectory, LocalEncryptionKeys.FileName);
        Assert.True(File.Exists(keyFile), $"the local key file {keyFile} was not made");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

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
