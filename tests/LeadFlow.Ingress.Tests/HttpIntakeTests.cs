using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.Workflows;
using Temporalio.Converters;

namespace LeadFlow.Ingress.Tests;

/// <summary>POST /events and GET /leads/{id} on the real app, without a worker (starts only).</summary>
public sealed class HttpIntakeTests
{
    [Fact]
    public async Task Envelope_IsStarted()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var eventId = TestEvents.NewEventId();

        var (status, body) = await PostAsync(http, TestEvents.Json(eventId), "application/cloudevents+json");

        Assert.Equal(HttpStatusCode.Accepted, status);
        var entry = body.GetProperty("entries").EnumerateArray().Single();
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), entry.GetProperty("workflowId").GetString());
        Assert.Equal("Started", entry.GetProperty("status").GetString());
        await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).DescribeAsync();
    }

    [Fact]
    public async Task SameEnvelopeTwice_SecondIsDuplicate()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var json = TestEvents.Json();

        await PostAsync(http, json);
        var (status, body) = await PostAsync(http, json, "application/json; charset=utf-8");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("Duplicate", body.GetProperty("entries")[0].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PutEventsEntries_AreStartedWithPerEntryErrors(bool wrapped)
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var entries = new JsonArray(
            Entry(TestEvents.Lead().ToJsonString()),
            Entry("[1,2]"),
            Entry(TestEvents.Lead().ToJsonString()),
            new JsonObject { ["Source"] = "crm.leads", ["DetailType"] = "LeadSubmitted" });
        var body = wrapped ? new JsonObject { ["Entries"] = entries }.ToJsonString() : entries.ToJsonString();

        var (status, answer) = await PostAsync(http, body);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(2, answer.GetProperty("entries").GetArrayLength());
        var errors = answer.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([1, 3], errors.Select(e => e.GetProperty("index").GetInt32()));
        Assert.All(errors, e => Assert.Equal("Detail", e.GetProperty("field").GetString()));
        foreach (var entry in answer.GetProperty("entries").EnumerateArray())
        {
            var description = await temporal.Client.GetWorkflowHandle(entry.GetProperty("workflowId").GetString()!).DescribeAsync();
            Assert.Equal(entry.GetProperty("runId").GetString(), description.RunId);
        }
    }

    [Fact]
    public async Task BareLead_IsWrappedIntoANewEvent()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();

        var (status, body) = await PostAsync(http, TestEvents.Lead().ToJsonString(), "application/json");

        Assert.Equal(HttpStatusCode.Accepted, status);
        var workflowId = body.GetProperty("entries")[0].GetProperty("workflowId").GetString()!;
        var handle = temporal.Client.GetWorkflowHandle<LeadOnboardingWorkflow>(workflowId);
        var history = await handle.FetchHistoryAsync();
        // The workflow's input is the envelope itself, as a JSON object.
        var envelope = await temporal.Client.Options.DataConverter.ToValueAsync<JsonNode>(history.Events.First().WorkflowExecutionStartedEventAttributes.Input.Payloads_[0]);
        Assert.Equal("crm.leads", envelope["source"]!.GetValue<string>());
        Assert.Equal("LeadSubmitted", envelope["detail-type"]!.GetValue<string>());
        Assert.Equal(workflowId, LeadWorkflowIds.ForEvent(envelope["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task BareLeadWithIdempotencyKey_RetryIsDuplicate()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        http.DefaultRequestHeaders.Add("Idempotency-Key", TestEvents.NewEventId());
        var lead = TestEvents.Lead().ToJsonString();

        await PostAsync(http, lead);
        var (_, body) = await PostAsync(http, lead);

        Assert.Equal("Duplicate", body.GetProperty("entries")[0].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("{\"id\":\"x\",\"detail\":{\"name\":", "body")]
    [InlineData("{\"id\":\"x\",\"source\":\"crm.leads\"}", "detail")]
    [InlineData("{\"id\":\"x\",\"source\":\"crm.leads\",\"detail\":7}", "detail")]
    [InlineData("{\"id\":7,\"detail\":{}}", "id")]
    [InlineData("{\"id\":\"x\",\u0002\"detail\":{}}", "body")]
    [InlineData("42", "body")]
    [InlineData("{\"Entries\":{}}", "Entries")]
    public async Task MalformedBody_Is400NamingTheField(string body, string field)
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();

        var (status, problem) = await PostAsync(http, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    /// <summary>
    /// A body that is not JSON answers the project's problem shape: the field, the rule <c>json.syntax</c> and where (line
    /// and byte from 1), never .NET's own <c>LineNumber | BytePositionInLine</c> (from 0) a newcomer found there.
    /// </summary>
    [Theory]
    [InlineData("{\"id\":\"x\",\"detail\":{\"name\":", "at line 1, byte ")]
    [InlineData("[{\"id\":\"a\"},\n  {\"id\" \"b\"}]", "at line 2, byte 9")]
    [InlineData("{\"name\":\"Ana\",}", "at line 1, byte ")]
    public async Task JsonSyntaxError_Is400WithFieldRuleAndPosition_WithoutDotNetInternals(string body, string where)
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();

        var (status, problem) = await PostAsync(http, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("body", problem.GetProperty("field").GetString());
        Assert.Equal("json.syntax", problem.GetProperty("rule").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray().ToList());
        Assert.Equal(("body", "json.syntax"), (error.GetProperty("field").GetString(), error.GetProperty("rule").GetString()));
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(where, detail, StringComparison.Ordinal);
        foreach (var internals in new[] { "LineNumber", "BytePositionInLine", "Path: $" })
        {
            Assert.DoesNotContain(internals, detail, StringComparison.Ordinal);
            Assert.DoesNotContain(internals, error.GetProperty("message").GetString()!, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// An array of EventBridge envelopes (what a newcomer posts after reading the bus contract) is accepted as the bus would
    /// deliver them one by one: each started as <c>lead-&lt;its id&gt;</c>, a repeated id a duplicate, a broken one refused by index.
    /// </summary>
    [Fact]
    public async Task ArrayOfEnvelopes_EachIsStartedUnderItsOwnId()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var (first, second) = (TestEvents.NewEventId(), TestEvents.NewEventId());
        var body = new JsonArray(TestEvents.Envelope(first), TestEvents.Envelope(second), TestEvents.Envelope(first), new JsonObject { ["id"] = "x", ["source"] = "crm.leads", ["detail"] = 7 }).ToJsonString();

        var (status, answer) = await PostAsync(http, body);

        Assert.Equal(HttpStatusCode.Accepted, status);
        var entries = answer.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal([LeadWorkflowIds.ForEvent(first), LeadWorkflowIds.ForEvent(second), LeadWorkflowIds.ForEvent(first)], entries.Select(e => e.GetProperty("workflowId").GetString()));
        Assert.Equal(["Started", "Started", "Duplicate"], entries.Select(e => e.GetProperty("status").GetString()));
        var error = Assert.Single(answer.GetProperty("errors").EnumerateArray().ToList());
        Assert.Equal((3, "detail"), (error.GetProperty("index").GetInt32(), error.GetProperty("field").GetString()));
        await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(second)).DescribeAsync();
    }

    /// <summary>A <c>\u</c> escape that is no valid UTF-16 parses, but threw when read (a 500): now a 400 naming the field and the rule.</summary>
    [Theory]
    [InlineData("{\"name\":\"Ana\",\"lastname\":\"R\\ud800\",\"rut\":\"11111111-1\"}", "lastname")]
    [InlineData("{\"name\":\"Ana\",\"lastname\":\"\\udc00\"}", "lastname")]
    [InlineData("{\"name\":\"Ana\",\"lastname\":\"\\udc00\\ud800\"}", "lastname")]
    [InlineData("{\"name\":\"Ana\",\"lastname\":\"\\ud800\\u0041\"}", "lastname")]
    [InlineData("{\"id\":\"x\\ud800\",\"source\":\"crm.leads\",\"detail\":{\"name\":\"Ana\"}}", "id")]
    [InlineData("{\"id\":\"x\",\"source\":\"crm.leads\",\"detail\":{\"name\":\"Ana\"},\"extra\":\"\\uDFFF\"}", "extra")]
    [InlineData("{\"id\":\"x\",\"source\":\"crm.leads\",\"detail\":{\"lastname\":\"R\\ud800\"}}", "detail.lastname")]
    [InlineData("\"\\ud800\"", "body")]
    [InlineData("{\"Entries\":[{\"Detail\":\"{\\\"lastname\\\":\\\"R\\\\ud800\\\"}\"}]}", "Detail.lastname")]
    public async Task LoneSurrogateEscape_Is400NamingTheFieldAndTheRule(string body, string field)
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();

        var (status, problem) = await PostAsync(http, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains("surrogate", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoneSurrogateEscape_InsideAnSnsMessage_Is400NamingTheField()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var message = "{\"id\":\"x\",\"source\":\"crm.leads\",\"detail\":{\"lastname\":\"R\\ud800\"}}";
        var notification = $$"""{"Type":"Notification","MessageId":"m-1","TopicArn":"arn:aws:sns:us-east-1:123456789012:lead-events","Message":{{JsonSerializer.Serialize(message)}}}""";

        var (status, problem) = await PostAsync(http, notification);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("detail.lastname", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task BodyOver256KB_Is413()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var envelope = TestEvents.Envelope();
        envelope["detail"]!["notes"] = new string('x', 300 * 1024);

        var (status, _) = await PostAsync(http, envelope.ToJsonString());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task UnknownLead_Is404()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();

        using var response = await http.GetAsync(new Uri($"leads/{TestEvents.NewEventId()}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TemporalUnreachable_Is503()
    {
        await using var host = await IngressHost.StartAsync(new TemporalClientSource(IngressTemporal.Unreachable()));
        using var http = host.CreateClient();

        var (status, _) = await PostAsync(http, TestEvents.Json());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
    }

    [Fact]
    public async Task ApiKey_WhenSet_IsRequired()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource(), new Dictionary<string, string?> { ["Ingress:ApiKey"] = "s3cret" });
        using var http = host.CreateClient();

        var (without, _) = await PostAsync(http, TestEvents.Json());
        http.DefaultRequestHeaders.Add("x-api-key", "s3cret");
        var (with, _) = await PostAsync(http, TestEvents.Json());

        Assert.Equal(HttpStatusCode.Unauthorized, without);
        Assert.Equal(HttpStatusCode.Accepted, with);
    }

    [Fact]
    public async Task BareLeadResentLater_UnderTheSameKey_IsADuplicateWithTheSameContent()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        http.DefaultRequestHeaders.Add("Idempotency-Key", TestEvents.NewEventId());
        var lead = TestEvents.Lead();

        await PostAsync(http, lead.ToJsonString());
        // The intake stamps the envelope's time on arrival (whole seconds): a retry a second later gets another time.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var (_, retried) = await PostAsync(http, lead.ToJsonString());

        var retry = retried.GetProperty("entries")[0];
        Assert.Equal("Duplicate", retry.GetProperty("status").GetString());
        Assert.False(retry.GetProperty("contentDiffers").GetBoolean());
        Assert.DoesNotContain(host.Logs.Entries, e => e.Message.Contains("different content", StringComparison.Ordinal));

        // Another lead under the same key is still told apart.
        lead["name"] = "Someone Else";
        var (_, changed) = await PostAsync(http, lead.ToJsonString());
        Assert.True(changed.GetProperty("entries")[0].GetProperty("contentDiffers").GetBoolean());
    }

    [Fact]
    public async Task SnsNotification_IsUnwrapped_KeyedByTheInnerEvent_AndARedeliveryIsADuplicate()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var eventId = TestEvents.NewEventId();
        var notification = TestEvents.SnsNotification(TestEvents.Json(eventId)).ToJsonString();

        // SNS posts with a text/plain content type and its own headers.
        http.DefaultRequestHeaders.Add("x-amz-sns-message-type", "Notification");
        var (status, first) = await PostAsync(http, notification, "text/plain; charset=UTF-8");
        var (_, again) = await PostAsync(http, notification, "text/plain; charset=UTF-8");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), first.GetProperty("entries")[0].GetProperty("workflowId").GetString());
        Assert.Equal("Started", first.GetProperty("entries")[0].GetProperty("status").GetString());
        Assert.Equal("Duplicate", again.GetProperty("entries")[0].GetProperty("status").GetString());
        Assert.False(again.GetProperty("entries")[0].GetProperty("contentDiffers").GetBoolean());
        var history = await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).FetchHistoryAsync();
        var input = await temporal.Client.Options.DataConverter.ToValueAsync<JsonNode>(history.Events.First().WorkflowExecutionStartedEventAttributes.Input.Payloads_[0]);
        Assert.Equal(eventId, input!["id"]!.GetValue<string>());
        Assert.NotNull(input["detail"]);
    }

    [Fact]
    public async Task SnsNotificationOfABareLead_IsKeyedByTheSnsMessageId()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var messageId = Guid.NewGuid().ToString();
        var notification = TestEvents.SnsNotification(TestEvents.Lead().ToJsonString(), messageId).ToJsonString();

        var (_, first) = await PostAsSnsAsync(http, notification, "Notification");
        var (_, again) = await PostAsSnsAsync(http, notification, "Notification");

        Assert.Equal(LeadWorkflowIds.ForEvent($"sns-{messageId}"), first.GetProperty("entries")[0].GetProperty("workflowId").GetString());
        Assert.Equal("Duplicate", again.GetProperty("entries")[0].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("SubscriptionConfirmation")]
    [InlineData("UnsubscribeConfirmation")]
    public async Task SnsConfirmation_IsAnswered200AsIgnored_LoggedWithItsTopic_AndStartsNothing(string type)
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();
        var confirmation = TestEvents.SnsConfirmation(type);

        var (status, body) = await PostAsSnsAsync(http, confirmation.ToJsonString(), type);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("ignored").GetBoolean());
        Assert.Equal(type, body.GetProperty("snsType").GetString());
        Assert.Equal(TestEvents.TopicArn, body.GetProperty("topicArn").GetString());
        Assert.Contains("not a lead", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains(type, StringComparison.Ordinal) && e.Message.Contains(TestEvents.TopicArn, StringComparison.Ordinal));
        var started = await temporal.Client.CountWorkflowsAsync($"TaskQueue = '{temporal.TaskQueue}'");
        Assert.Equal(0, started.Count);
    }

    [Fact]
    public async Task SnsNotificationWhoseMessageIsNoEnvelope_Is400()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource());
        using var http = host.CreateClient();

        var (status, problem) = await PostAsSnsAsync(http, TestEvents.SnsNotification("{\"id\":\"x\",\"source\":\"crm.leads\"}").ToJsonString(), "Notification");
        var (noMessage, _) = await PostAsSnsAsync(http, new JsonObject { ["Type"] = "Notification", ["MessageId"] = "m1", ["TopicArn"] = TestEvents.TopicArn }.ToJsonString(), "Notification");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("detail", problem.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noMessage);
    }

    [Fact]
    public async Task ApiKey_MayComeAsTheBasicAuthPassword_AsAnSnsSubscriptionUrlSendsIt()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await IngressHost.StartAsync(temporal.ClientSource(), new Dictionary<string, string?> { ["Ingress:ApiKey"] = "s3cret" });
        using var http = host.CreateClient();

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("leadflow:wrong")));
        var (wrong, _) = await PostAsSnsAsync(http, TestEvents.SnsNotification(TestEvents.Json()).ToJsonString(), "Notification");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("leadflow:s3cret")));
        var (right, _) = await PostAsSnsAsync(http, TestEvents.SnsNotification(TestEvents.Json()).ToJsonString(), "Notification");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal(HttpStatusCode.Accepted, right);
    }

    private static JsonObject Entry(string detail) => new() { ["Source"] = "crm.leads", ["DetailType"] = "LeadSubmitted", ["Detail"] = detail };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string body, string? contentType = "application/json")
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await http.PostAsync(new Uri("events", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>
    /// As SNS posts to an HTTP/S subscription: <c>text/plain; charset=UTF-8</c> with its <c>x-amz-sns-message-type</c>
    /// header (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html).
    /// </summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsSnsAsync(HttpClient http, string body, string messageType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("events", UriKind.Relative)) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain; charset=UTF-8");
        request.Headers.Add("x-amz-sns-message-type", messageType);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
