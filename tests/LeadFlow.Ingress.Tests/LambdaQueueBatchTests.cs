using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using LeadFlow.Ingress.Lambda;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.Temporal;
using LeadFlow.TestSupport.Lambda;
using LeadFlow.TestSupport.Sqs;
using LeadFlow.TestSupport.Telemetry;
using LeadFlow.Workflows;
using Microsoft.Extensions.Configuration;

namespace LeadFlow.Ingress.Tests;

/// <summary>
/// The ingress Lambda behind an SQS queue (the template's TemporalLambda target: rule -> queue -> event source mapping
/// with ReportBatchItemFailures), invoked through the local Invoke API with the batch event Lambda builds from messages
/// really received from fauxqs; its visibility changes and poison messages go to fauxqs over SQS's JSON protocol.
/// </summary>
public sealed class LambdaQueueBatchTests(FauxqsFixture fauxqs) : IClassFixture<FauxqsFixture>
{
    private const string FunctionName = "LeadIngress";

    private FauxqsServer Sqs => fauxqs.Server;

    [Fact]
    public async Task Batch_StartsEveryLead_ADuplicateToo_AndReportsNoFailure()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queueUrl, poisonUrl) = await QueuesAsync();
        var first = TestEvents.NewEventId();
        var second = TestEvents.NewEventId();
        await SendAsync(queueUrl, TestEvents.Json(first), TestEvents.Json(second), TestEvents.Json(first));
        await using var host = await HostAsync(temporal.Options, poisonUrl);

        var failures = await InvokeAsync(host, queueUrl, await ReceiveAsync(queueUrl, 3));

        Assert.Empty(failures);
        await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(first)).DescribeAsync();
        await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(second)).DescribeAsync();
    }

    [Fact]
    public async Task TemporalUnavailable_ReportsEveryMessage_AndMakesThemWaitTheBackoff_NotTheShortReceiveTimeout()
    {
        var (queueUrl, poisonUrl) = await QueuesAsync();
        await SendAsync(queueUrl, TestEvents.Json(), TestEvents.Json());
        await using var host = await HostAsync(IngressTemporal.Unreachable(), poisonUrl);
        var batch = await ReceiveAsync(queueUrl, 2, visibilitySeconds: 2);

        var failures = await InvokeAsync(host, queueUrl, batch);

        Assert.Equal(batch.Select(m => m.MessageId).Order(), failures.Order());
        // Received with a 2 s visibility timeout: without the backoff (60 s) they would be back by now.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var queued = await Sqs.InspectAsync(queueUrl);
        Assert.Equal(2, queued.InFlight.Count);
        Assert.Empty(queued.Ready);
    }

    [Fact]
    public async Task MalformedMessage_GoesToThePoisonQueueWithItsReason_AndIsNotReported_WhileTheOthersStart()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queueUrl, poisonUrl) = await QueuesAsync();
        var good = TestEvents.NewEventId();
        await SendAsync(queueUrl, "{\"id\":\"e1\",\"detail\":\"not an object\"}", TestEvents.Json(good));
        await using var host = await HostAsync(temporal.Options, poisonUrl);

        var failures = await InvokeAsync(host, queueUrl, await ReceiveAsync(queueUrl, 2));

        Assert.Empty(failures);
        var poison = Assert.Single((await Sqs.InspectAsync(poisonUrl)).Messages);
        Assert.Equal("{\"id\":\"e1\",\"detail\":\"not an object\"}", poison.Body);
        Assert.Equal("detail", poison.Attributes["LeadFlowPoisonField"]);
        Assert.False(string.IsNullOrWhiteSpace(poison.Attributes["LeadFlowPoisonReason"]));
        await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(good)).DescribeAsync();
    }

    [Fact]
    public async Task MalformedMessage_WithoutAPoisonQueue_IsReported_SoTheDeadLetterQueueKeepsIt()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queueUrl, _) = await QueuesAsync();
        await SendAsync(queueUrl, "[]");
        await using var host = await HostAsync(temporal.Options, poisonQueueUrl: null);
        var batch = await ReceiveAsync(queueUrl, 1);

        var failures = await InvokeAsync(host, queueUrl, batch);

        Assert.Equal([batch[0].MessageId], failures);
    }

    /// <summary>
    /// With telemetry on, a message that carries its sender's W3C context is processed in that trace: its
    /// <c>process &lt;queue&gt;</c> span is a child of the sender's span, linked to the invocation's span, and the workflow
    /// start hangs under it; all of it exported by the time the invocation answered (the exporters batch for an hour).
    /// </summary>
    [Fact]
    public async Task WithTelemetry_AMessagesTraceparent_IsContinued_AndTheSpansAreExportedBeforeTheInvocationAnswers()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queueUrl, poisonUrl) = await QueuesAsync();
        var sender = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var eventId = TestEvents.NewEventId();
        var body = TestEvents.Json(eventId);
        using (var sqs = Sqs.CreateClient())
        {
            await sqs.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = queueUrl,
                MessageBody = body,
                MessageAttributes = new() { ["traceparent"] = new MessageAttributeValue { DataType = "String", StringValue = $"00-{sender.TraceId}-{sender.SpanId}-01" } },
            });
        }

        var exported = new FlushedTelemetry();
        await using var host = await HostAsync(temporal.Options, poisonUrl, exported.AddTo);

        var failures = await InvokeAsync(host, queueUrl, await ReceiveAsync(queueUrl, 1));

        var trace = exported.TraceOf(sender.TraceId);
        Assert.Empty(failures);
        var process = Assert.Single(trace, s => s.DisplayName.StartsWith("process ", StringComparison.Ordinal));
        Assert.Equal(sender.SpanId, process.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        var invocation = Assert.Single(exported.Spans, s => s.Source.Name == LeadEventFunction.ActivitySourceName);
        Assert.Equal("pubsub", invocation.GetTagItem("faas.trigger"));
        Assert.Equal(invocation.SpanId, Assert.Single(process.Links).Context.SpanId);
        var start = Assert.Single(trace, s => s.DisplayName == "StartWorkflow:LeadOnboardingWorkflow");
        Assert.Equal(process.SpanId, start.ParentSpanId);
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), start.GetTagItem("leadflow.lead.id"));
        Assert.Contains(exported.MetricPoints, m => m.StartsWith("leadflow.ingress.starts", StringComparison.Ordinal));
        var detail = JsonNode.Parse(body)!["detail"]!;
        string[] personal = [detail["rut"]!.GetValue<string>(), detail["phone"]!.GetValue<string>(), detail["mail"]!.GetValue<string>()];
        Assert.All(trace.Append(invocation).Select(FlushedTelemetry.Render).Concat(exported.LogRecords), text => Assert.DoesNotContain(personal, p => text.Contains(p, StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(6, 1920)]
    [InlineData(7, 3600)]
    [InlineData(30, 3600)]
    [InlineData(1000, 3600)]
    public void Backoff_DoublesPerReceive_UpToTheMaximum(int receiveCount, int seconds) =>
        Assert.Equal(seconds, new QueueBatchOptions().VisibilityAfter(receiveCount));

    [Fact]
    public void RetryDelays_OutsideSqsLimits_FailTheLambdasInit_NamingTheVariable()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ingress:Queue:RetryMaxDelaySeconds"] = "50000" }).Build();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => QueueBatchOptions.Bind(configuration));

        Assert.Contains("Ingress__Queue__RetryMaxDelaySeconds", error.Message, StringComparison.Ordinal);
    }

    private async Task<(string QueueUrl, string PoisonUrl)> QueuesAsync()
    {
        var name = "lambda-" + Guid.NewGuid().ToString("N")[..12];
        var (queueUrl, _) = await Sqs.CreateQueueWithDeadLetterQueueAsync(name, maxReceiveCount: 30, visibilityTimeoutSeconds: 180);
        using var sqs = Sqs.CreateClient();
        var poison = await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name + "-poison" });
        return (queueUrl, poison.QueueUrl);
    }

    private async Task SendAsync(string queueUrl, params string[] bodies)
    {
        using var sqs = Sqs.CreateClient();
        foreach (var body in bodies)
        {
            await sqs.SendMessageAsync(queueUrl, body);
        }
    }

    /// <summary>Receives <paramref name="count"/> messages as the event source mapping does, with their receive counts.</summary>
    private async Task<List<Message>> ReceiveAsync(string queueUrl, int count, int visibilitySeconds = 180)
    {
        using var sqs = Sqs.CreateClient();
        var messages = new List<Message>();
        while (messages.Count < count)
        {
            var answer = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = count - messages.Count,
                WaitTimeSeconds = 1,
                VisibilityTimeout = visibilitySeconds,
                MessageSystemAttributeNames = ["ApproximateReceiveCount"],
                MessageAttributeNames = ["All"],
            });
            messages.AddRange(answer.Messages ?? []);
        }

        return messages;
    }

    /// <summary>Invokes the function with the SQS event of <paramref name="batch"/>; returns its batchItemFailures' ids.</summary>
    private async Task<List<string>> InvokeAsync(LambdaInvokeHost host, string queueUrl, List<Message> batch)
    {
        using var sqs = Sqs.CreateClient();
        var arn = (await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest(queueUrl, ["QueueArn"]))).QueueARN;
        var records = new JsonArray([.. batch.Select(m => (JsonNode)new JsonObject
        {
            ["messageId"] = m.MessageId,
            ["receiptHandle"] = m.ReceiptHandle,
            ["body"] = m.Body,
            ["attributes"] = new JsonObject { ["ApproximateReceiveCount"] = m.Attributes?.GetValueOrDefault("ApproximateReceiveCount") ?? "1" },
            ["messageAttributes"] = new JsonObject([.. (m.MessageAttributes ?? []).Select(a => KeyValuePair.Create(a.Key, (JsonNode?)new JsonObject { ["stringValue"] = a.Value.StringValue, ["dataType"] = a.Value.DataType }))]),
            ["eventSource"] = "aws:sqs",
            ["eventSourceARN"] = arn,
            ["awsRegion"] = FauxqsServer.Region,
        })]);
        using var http = new HttpClient { BaseAddress = host.Endpoint };
        using var response = await http.PostAsync(
            new Uri($"2015-03-31/functions/{FunctionName}/invocations", UriKind.Relative),
            new StringContent(new JsonObject { ["Records"] = records }.ToJsonString(), Encoding.UTF8));
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), text);
        using var answer = JsonDocument.Parse(text);
        return answer.RootElement.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()!).ToList();
    }

    private Task<LambdaInvokeHost> HostAsync(TemporalOptions temporal, string? poisonQueueUrl, Action<OpenTelemetry.IOpenTelemetryBuilder>? configureTelemetry = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = temporal.Address,
            ["Temporal:Namespace"] = temporal.Namespace,
            ["Temporal:TaskQueue"] = temporal.TaskQueue,
            ["Temporal:RpcTimeoutSeconds"] = "2",
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_REGION"] = FauxqsServer.Region,
            ["Ingress:Queue:ServiceUrl"] = Sqs.ServiceUrl.ToString(),
            ["Ingress:Queue:PoisonQueueUrl"] = poisonQueueUrl,
        }).Build();
        var function = new LeadEventFunction(configuration, loggerFactory: null, http: null, configureTelemetry);
        return LambdaInvokeHost.StartAsync(new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>> { [FunctionName] = function.InvokeAsync });
    }
}
