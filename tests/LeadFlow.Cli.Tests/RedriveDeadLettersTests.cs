using Amazon.SQS.Model;
using LeadFlow.Cli.Tests.Support;
using LeadFlow.TestSupport.Sqs;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// <c>leadflow redrive-dlq</c> against fauxqs: the dead-letter queue's three formats (an intake-queue message, an
/// EventBridge target failure, a Lambda on-failure record) are leads to put back; a malformed body is kept. A dry run
/// touches nothing; <c>--apply</c> re-sends each lead as its bare envelope, with its event id, then deletes it.
/// </summary>
public sealed class RedriveDeadLettersTests(FauxqsFixture fauxqs) : IClassFixture<FauxqsFixture>
{
    [Fact]
    public async Task DryRun_JudgesEveryMessage_AndTouchesNothing_ThenApply_ResendsLeads_AndKeepsTheMalformed()
    {
        var (intake, dlq) = await fauxqs.Server.CreateQueueWithDeadLetterQueueAsync("dlq-" + Guid.NewGuid().ToString("N")[..12], maxReceiveCount: 5, visibilityTimeoutSeconds: 30);
        var (plain, fromRule, fromLambda) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        using (var sqs = fauxqs.Server.CreateClient())
        {
            await sqs.SendMessageAsync(new SendMessageRequest(dlq, Envelope(plain)));
            await sqs.SendMessageAsync(new SendMessageRequest(dlq, Envelope(fromRule))
            {
                MessageAttributes = new()
                {
                    ["ERROR_CODE"] = new MessageAttributeValue { DataType = "String", StringValue = "SDK_CLIENT_ERROR" },
                    ["ERROR_MESSAGE"] = new MessageAttributeValue { DataType = "String", StringValue = "Unable to invoke Lambda" },
                },
            });
            await sqs.SendMessageAsync(new SendMessageRequest(dlq, $$$"""{"version":"1.0","requestContext":{"condition":"RetriesExhausted","approximateInvokeCount":3},"requestPayload":{{{Envelope(fromLambda)}}},"responsePayload":{"errorType":"TemporalUnavailableException"}}"""));
            await sqs.SendMessageAsync(new SendMessageRequest(dlq, "{\"id\":\"broken\""));
        }

        var settings = new Dictionary<string, string?> { ["Ingress:Sqs:ServiceUrl"] = fauxqs.Server.ServiceUrl.ToString() };
        var dry = await CliRun.RunAsync(["redrive-dlq", "--dlq", dlq, "--to", intake], settings);

        Assert.Equal(1, dry.ExitCode);
        Assert.Contains($"would re-send lead {plain} [intake queue (receives exhausted)]", dry.Output, StringComparison.Ordinal);
        Assert.Contains($"would re-send lead {fromRule} [EventBridge target failure] SDK_CLIENT_ERROR: Unable to invoke Lambda", dry.Output, StringComparison.Ordinal);
        Assert.Contains($"would re-send lead {fromLambda} [Lambda on-failure destination] RetriesExhausted", dry.Output, StringComparison.Ordinal);
        Assert.Contains("kept [intake queue (receives exhausted)] no lead: envelope:", dry.Output, StringComparison.Ordinal);
        Assert.Contains("Dry run: 3 lead(s) would be re-sent", dry.Output, StringComparison.Ordinal);
        Assert.Equal(4, (await fauxqs.Server.InspectAsync(dlq)).Ready.Count);
        Assert.Equal(0, (await fauxqs.Server.InspectAsync(intake)).Count);

        var applied = await CliRun.RunAsync(["redrive-dlq", "--dlq", dlq, "--to", intake, "--apply"], settings);

        Assert.Equal(1, applied.ExitCode);
        Assert.Contains("3 of 3 lead(s) re-sent", applied.Output, StringComparison.Ordinal);
        var resent = (await fauxqs.Server.InspectAsync(intake)).All.ToList();
        Assert.Equal(3, resent.Count);
        Assert.All([plain, fromRule, fromLambda], id => Assert.Single(resent, body => body.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal) && body.Contains("\"detail\"", StringComparison.Ordinal)));
        Assert.Equal(["{\"id\":\"broken\""], (await fauxqs.Server.InspectAsync(dlq)).All);
    }

    [Fact]
    public async Task MissingQueueUrls_ExitTwo_NamingTheSettings()
    {
        var run = await CliRun.RunAsync(["redrive-dlq"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Ingress__Sqs__DeadLetterQueueUrl", run.Output, StringComparison.Ordinal);
    }

    private static string Envelope(string id) =>
        $$$"""{"version":"0","id":"{{{id}}}","detail-type":"LeadSubmitted","source":"crm.leads","account":"1","time":"2026-01-01T12:00:00Z","region":"us-east-1","resources":[],"detail":{"name":"Ada","lastname":"Lovelace","rut":"11111111-1","phone":"+56 9 1234 5678","mail":"ada@example.com","store":"MAIPU","wantsBenefit":true}}""";
}
