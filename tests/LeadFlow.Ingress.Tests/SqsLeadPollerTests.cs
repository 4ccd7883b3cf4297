using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using LeadFlow.Ingress.Sqs;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Network;
using LeadFlow.TestSupport.Sqs;
using LeadFlow.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Exceptions;

namespace LeadFlow.Ingress.Tests;

/// <summary>The SQS poller against the fauxqs emulator and the test Temporal server.</summary>
public sealed class SqsLeadPollerTests(FauxqsFixture fauxqs) : IClassFixture<FauxqsFixture>
{
    private FauxqsServer Sqs => fauxqs.Server;

    [Fact]
    public async Task QueuedEvents_AreStartedAndDeleted()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, dlq) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 3);
        var ids = Enumerable.Range(0, 25).Select(_ => TestEvents.NewEventId()).ToList();
        await SendAsync(queue, ids.Select(TestEvents.Json));

        var poller = await StartPollerAsync(queue, temporal.Starter());
        await WaitUntilAsync(() => poller.Counts.Started == ids.Count);
        await StopAsync(poller);

        Assert.Equal(0, (await Sqs.InspectAsync(queue)).Count);
        Assert.Equal(0, (await Sqs.InspectAsync(dlq)).Count);
        foreach (var id in ids)
        {
            await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(id)).DescribeAsync();
        }
    }

    [Fact]
    public async Task DuplicateMessages_StartOneWorkflowAndAreAllDeleted()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, _) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 3);
        var json = TestEvents.Json();
        await SendAsync(queue, [json, json, json]);

        var poller = await StartPollerAsync(queue, temporal.Starter());
        await WaitUntilAsync(() => poller.Counts.Started + poller.Counts.Duplicates == 3);
        await StopAsync(poller);

        Assert.Equal((1L, 2L), (poller.Counts.Started, poller.Counts.Duplicates));
        Assert.Equal(0, (await Sqs.InspectAsync(queue)).Count);
    }

    [Fact]
    public async Task TemporalUnreachable_PollerStopsReceiving_ReceiveCountStays_AndStartsOnceItAnswers()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var proxy = new TcpProxy(temporal.Server.Address);
        var options = temporal.Options;
        options.Address = proxy.Address;
        options.RpcTimeoutSeconds = 2;
        // Visibility 2 s: the message caught while Temporal goes away stays hidden (extended every second) until released.
        var (queue, dlq) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 3, visibilityTimeoutSeconds: 2);
        var logs = new LogCapture();
        var poller = await StartPollerAsync(queue, new LeadWorkflowStarter(new TemporalClientSource(options)), logs, visibilityTimeoutSeconds: 2);
        await WaitUntilAsync(() => poller.Gate.IsOpen);

        // Temporal goes away; a lead arrives and is caught in one receive, then receiving pauses.
        proxy.Close();
        var eventId = TestEvents.NewEventId();
        await SendAsync(queue, [TestEvents.Json(eventId)]);
        await WaitUntilAsync(() => !poller.Gate.IsOpen, TimeSpan.FromSeconds(30));

        // Five visibility timeouts: a poller that kept receiving would have dead-lettered it after three.
        await Task.Delay(TimeSpan.FromSeconds(10));
        var waiting = Assert.Single((await Sqs.InspectAsync(queue)).Messages);
        Assert.Equal(1, waiting.ReceiveCount);
        Assert.Equal(0, (await Sqs.InspectAsync(dlq)).Count);
        Assert.Contains("unavailable", poller.Health.Temporal.Description, StringComparison.Ordinal);
        Assert.False(poller.Health.Temporal.IsHealthy);

        proxy.Open();
        await WaitUntilAsync(() => poller.Counts.Started == 1, TimeSpan.FromSeconds(60));
        await StopAsync(poller);

        Assert.Equal(0, (await Sqs.InspectAsync(queue)).Count);
        Assert.Equal(0, (await Sqs.InspectAsync(dlq)).Count);
        Assert.True(await ExistsAsync(temporal, eventId));
        Assert.True(poller.Health.Temporal.IsHealthy);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("receiving paused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TemporalUnreachableFromTheStart_NothingIsReceived()
    {
        var (queue, dlq) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 2, visibilityTimeoutSeconds: 1);
        await SendAsync(queue, [TestEvents.Json()]);

        var poller = await StartPollerAsync(queue, new LeadWorkflowStarter(new TemporalClientSource(IngressTemporal.Unreachable())), visibilityTimeoutSeconds: 1);
        await Task.Delay(TimeSpan.FromSeconds(6));
        await StopAsync(poller);

        var waiting = Assert.Single((await Sqs.InspectAsync(queue)).Messages);
        Assert.Equal(0, waiting.ReceiveCount);
        Assert.Equal(0, (await Sqs.InspectAsync(dlq)).Count);
        Assert.Equal(0, poller.Counts.Left);
    }

    [Fact]
    public async Task PoisonMessage_GoesToThePoisonQueue_WithItsReason_ThenIsDeleted()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, dlq) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 2, visibilityTimeoutSeconds: 1);
        var poisonQueue = await CreateQueueAsync(NewQueueName() + "-poison");
        const string poison = "{\"id\":\"p1\",\"detail\":";
        var valid = TestEvents.Json();
        await SendAsync(queue, [poison, valid]);
        var logs = new LogCapture();

        var poller = await StartPollerAsync(queue, temporal.Starter(), logs, visibilityTimeoutSeconds: 1, poisonQueueUrl: poisonQueue);
        await WaitUntilAsync(() => poller.Counts.Started == 1 && poller.Counts.Poisoned == 1);
        await StopAsync(poller);

        var moved = Assert.Single((await Sqs.InspectAsync(poisonQueue)).Messages);
        Assert.Equal(poison, moved.Body);
        Assert.Equal("envelope", moved.Attributes[PoisonQueue.FieldAttribute]);
        Assert.Contains("not valid JSON", moved.Attributes[PoisonQueue.ReasonAttribute], StringComparison.Ordinal);
        Assert.Equal(queue, moved.Attributes[PoisonQueue.SourceQueueAttribute]);
        Assert.Equal(0, (await Sqs.InspectAsync(queue)).Count);
        Assert.Equal(0, (await Sqs.InspectAsync(dlq)).Count);
        Assert.Contains(logs.Entries, e => e.Message.Contains("moved to the poison queue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PoisonQueueRefusesTheSend_MessageIsNotDeleted()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, dlq) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 2, visibilityTimeoutSeconds: 1);
        const string poison = "not an envelope";
        await SendAsync(queue, [poison]);
        var missingQueue = queue + "-no-such-queue";

        var poller = await StartPollerAsync(queue, temporal.Starter(), visibilityTimeoutSeconds: 1, poisonQueueUrl: missingQueue);
        await WaitUntilAsync(async () => (await Sqs.InspectAsync(dlq)).Count == 1, TimeSpan.FromSeconds(30));
        await StopAsync(poller);

        // Never deleted unsent: the intake queue's redrive policy kept it.
        Assert.Equal([poison], (await Sqs.InspectAsync(dlq)).All);
        Assert.Equal(0, poller.Counts.Poisoned);
    }

    [Fact]
    public async Task PoisonMessage_IsDeadLetteredWithTheReasonLogged()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, dlq) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 2, visibilityTimeoutSeconds: 1);
        const string poison = "{\"id\":\"p1\",\"detail\":";
        var valid = TestEvents.Json();
        await SendAsync(queue, [poison, valid]);
        var logs = new LogCapture();

        var poller = await StartPollerAsync(queue, temporal.Starter(), logs, visibilityTimeoutSeconds: 1);
        await WaitUntilAsync(async () => (await Sqs.InspectAsync(dlq)).Count == 1, TimeSpan.FromSeconds(30));
        await StopAsync(poller);

        Assert.Equal([poison], (await Sqs.InspectAsync(dlq)).All);
        Assert.Equal(0, (await Sqs.InspectAsync(queue)).Count);
        Assert.Equal(1, poller.Counts.Started);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Poison message", StringComparison.Ordinal) && e.Message.Contains("not valid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SnsMessages_AreUnwrappedOrIgnored_AndAllDeleted()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, dlq) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 2, visibilityTimeoutSeconds: 1);
        var eventId = TestEvents.NewEventId();
        var notification = TestEvents.SnsNotification(TestEvents.Json(eventId)).ToJsonString();
        var logs = new LogCapture();

        // EventBridge -> SNS -> SQS with raw message delivery off: each message is an SNS notification; SNS
        // redelivers, and a cross-account subscription puts its confirmation in the queue too.
        await SendAsync(queue, [notification, notification, TestEvents.SnsConfirmation().ToJsonString()]);
        var poller = await StartPollerAsync(queue, temporal.Starter(logs), logs);
        await WaitUntilAsync(() => poller.Counts.Started + poller.Counts.Duplicates + poller.Counts.Ignored == 3);
        await StopAsync(poller);

        Assert.Equal((1L, 1L, 1L, 0L), (poller.Counts.Started, poller.Counts.Duplicates, poller.Counts.Ignored, poller.Counts.Left));
        Assert.Equal(0, (await Sqs.InspectAsync(queue)).Count);
        Assert.Equal(0, (await Sqs.InspectAsync(dlq)).Count);
        var description = await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).DescribeAsync();
        Assert.Equal(temporal.TaskQueue, description.TaskQueue);
        Assert.Contains(logs.Entries, e => e.Message.Contains("SubscriptionConfirmation", StringComparison.Ordinal)
            && e.Message.Contains(TestEvents.TopicArn, StringComparison.Ordinal)
            && e.Message.Contains("aws sns confirm-subscription", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SnsNotificationWhoseMessageIsNoEnvelope_IsDeadLettered()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, dlq) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 2, visibilityTimeoutSeconds: 1);
        var poison = TestEvents.SnsNotification("not an envelope").ToJsonString();
        await SendAsync(queue, [poison]);
        var logs = new LogCapture();

        var poller = await StartPollerAsync(queue, temporal.Starter(), logs, visibilityTimeoutSeconds: 1);
        await WaitUntilAsync(async () => (await Sqs.InspectAsync(dlq)).Count == 1, TimeSpan.FromSeconds(30));
        await StopAsync(poller);

        Assert.Equal([poison], (await Sqs.InspectAsync(dlq)).All);
        Assert.Contains(logs.Entries, e => e.Message.Contains("Poison message", StringComparison.Ordinal) && e.Message.Contains("Message", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShutdownMidBatch_LosesNothing()
    {
        var temporal = await IngressTemporal.StartAsync();
        var (queue, _) = await Sqs.CreateQueueWithDeadLetterQueueAsync(NewQueueName(), maxReceiveCount: 5, visibilityTimeoutSeconds: 30);
        var ids = Enumerable.Range(0, 200).Select(_ => TestEvents.NewEventId()).ToList();
        await SendAsync(queue, ids.Select(TestEvents.Json));

        var poller = await StartPollerAsync(queue, temporal.Starter());
        await WaitUntilAsync(() => poller.Counts.Started > 0);
        // A shutdown timeout of zero: in-flight starts are abandoned at once.
        await poller.StopAsync(new CancellationToken(canceled: true));
        await poller.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));

        var inQueue = (await Sqs.InspectAsync(queue)).All.Select(body => JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()).ToHashSet();
        var started = 0;
        foreach (var id in ids)
        {
            var exists = await ExistsAsync(temporal, id);
            started += exists ? 1 : 0;
            Assert.True(exists || inQueue.Contains(id), $"event {id} was deleted without being started");
        }

        Assert.True(started > 0);
        Assert.True(inQueue.Count > 0, "the poller finished all 200 before the shutdown; nothing was mid-batch");
    }

    private static async Task<bool> ExistsAsync(IngressTemporal temporal, string eventId)
    {
        try
        {
            await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).DescribeAsync();
            return true;
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<SqsLeadPoller> StartPollerAsync(string queue, LeadWorkflowStarter starter, ILoggerProvider? logs = null, int visibilityTimeoutSeconds = 30, string? poisonQueueUrl = null)
    {
        var options = Options.Create(new SqsIngressOptions
        {
            QueueUrl = queue,
            ServiceUrl = Sqs.ServiceUrl.ToString(),
            WaitTimeSeconds = 1,
            VisibilityTimeoutSeconds = visibilityTimeoutSeconds,
            MaxConcurrency = 20,
            PoisonQueueUrl = poisonQueueUrl,
            TemporalProbeMaxDelaySeconds = 1,
        });
        var loggers = LoggerFactory.Create(b => { if (logs is not null) { b.AddProvider(logs); } });
        var poller = new SqsLeadPoller(Sqs.CreateClient(), starter, options, loggers.CreateLogger<SqsLeadPoller>());
        await poller.StartAsync(CancellationToken.None);
        return poller;
    }

    private static async Task StopAsync(SqsLeadPoller poller)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await poller.StopAsync(timeout.Token);
        poller.Dispose();
    }

    private async Task SendAsync(string queue, IEnumerable<string> bodies)
    {
        using var sqs = Sqs.CreateClient();
        foreach (var chunk in bodies.Chunk(10))
        {
            var entries = chunk.Select((body, i) => new SendMessageBatchRequestEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), body)).ToList();
            var response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest(queue, entries));
            Assert.Empty(response.Failed ?? []);
        }
    }

    private async Task<string> CreateQueueAsync(string name)
    {
        using var sqs = Sqs.CreateClient();
        return (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name })).QueueUrl;
    }

    private static string NewQueueName() => "leads-" + Guid.NewGuid().ToString("N")[..12];

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(50);
        }
    }
}
