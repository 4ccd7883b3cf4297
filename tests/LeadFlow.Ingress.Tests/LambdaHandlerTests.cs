using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using LeadFlow.Aws;
using LeadFlow.Ingress.Lambda;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.Temporal;
using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Aws;
using LeadFlow.TestSupport.Lambda;
using LeadFlow.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Temporalio.Api.WorkflowService.V1;

namespace LeadFlow.Ingress.Tests;

/// <summary>The real Lambda handler, invoked through the local Lambda Invoke API host.</summary>
public sealed class LambdaHandlerTests
{
    private const string FunctionName = "LeadIngress";

    [Fact]
    public async Task ValidEvent_StartsWorkflow()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await HostAsync(temporal.Options);
        var eventId = TestEvents.NewEventId();

        var (response, body) = await InvokeAsync(host, FunctionName, TestEvents.Json(eventId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Amz-Function-Error"));
        Assert.Equal("Started", body.GetProperty("status").GetString());
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), body.GetProperty("workflowId").GetString());
        var description = await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).DescribeAsync();
        Assert.Equal(body.GetProperty("runId").GetString(), description.RunId);
    }

    [Fact]
    public async Task DuplicateEvent_AnswersDuplicateWithTheSameRun()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await HostAsync(temporal.Options);
        var json = TestEvents.Json();

        var (_, first) = await InvokeAsync(host, FunctionName, json);
        var (response, second) = await InvokeAsync(host, $"arn:aws:lambda:us-east-1:123456789012:function:{FunctionName}", json);

        Assert.False(response.Headers.Contains("X-Amz-Function-Error"));
        Assert.Equal("Duplicate", second.GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("runId").GetString(), second.GetProperty("runId").GetString());
    }

    [Fact]
    public async Task MalformedEnvelope_IsAFunctionError()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await HostAsync(temporal.Options);

        var (response, body) = await InvokeAsync(host, FunctionName, "{\"id\":\"e1\",\"detail\":\"not an object\"}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("MalformedEnvelope", body.GetProperty("errorType").GetString());
        Assert.StartsWith("detail:", body.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnsEvent_IsUnwrapped_KeyedByTheInnerEvent_AndARedeliveryIsADuplicate()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await HostAsync(temporal.Options);
        var eventId = TestEvents.NewEventId();
        var snsEvent = TestEvents.SnsLambdaEvent(TestEvents.SnsNotification(TestEvents.Json(eventId))).ToJsonString();

        var (response, first) = await InvokeAsync(host, FunctionName, snsEvent);
        var (_, again) = await InvokeAsync(host, FunctionName, snsEvent);

        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), first.ToString());
        Assert.Equal("Started", first.GetProperty("status").GetString());
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), first.GetProperty("workflowId").GetString());
        Assert.Equal("Duplicate", again.GetProperty("status").GetString());
        await temporal.Client.GetWorkflowHandle(LeadWorkflowIds.ForEvent(eventId)).DescribeAsync();
    }

    [Fact]
    public async Task SnsNotificationAsThePayload_IsUnwrapped()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await HostAsync(temporal.Options);
        var eventId = TestEvents.NewEventId();

        var (_, body) = await InvokeAsync(host, FunctionName, TestEvents.SnsNotification(TestEvents.Json(eventId)).ToJsonString());

        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), body.GetProperty("workflowId").GetString());
    }

    [Fact]
    public async Task SnsConfirmation_IsIgnored_LoggedWithItsTopic_AndNoError()
    {
        var temporal = await IngressTemporal.StartAsync();
        var logs = new LeadFlow.TestSupport.LogCapture();
        await using var host = await HostAsync(temporal.Options, logs);

        var (response, body) = await InvokeAsync(host, FunctionName, TestEvents.SnsConfirmation().ToJsonString());

        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), body.ToString());
        Assert.Equal("Ignored", body.GetProperty("status").GetString());
        Assert.Equal("SubscriptionConfirmation", body.GetProperty("snsType").GetString());
        Assert.Contains(logs.Entries, e => e.Message.Contains(TestEvents.TopicArn, StringComparison.Ordinal));
        Assert.Equal(0, (await temporal.Client.CountWorkflowsAsync($"TaskQueue = '{temporal.TaskQueue}'")).Count);
    }

    [Fact]
    public async Task SnsEventWhoseMessageIsNoEnvelope_IsAFunctionError()
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var host = await HostAsync(temporal.Options);

        var (response, body) = await InvokeAsync(host, FunctionName, TestEvents.SnsLambdaEvent(TestEvents.SnsNotification("[]")).ToJsonString());

        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("MalformedEnvelope", body.GetProperty("errorType").GetString());
        Assert.StartsWith("Message:", body.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemporalUnreachable_IsAFunctionError()
    {
        await using var host = await HostAsync(IngressTemporal.Unreachable());

        var (response, body) = await InvokeAsync(host, FunctionName, TestEvents.Json());

        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("TemporalUnavailable", body.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task UnknownFunction_IsResourceNotFound()
    {
        await using var host = await LambdaInvokeHost.StartAsync(new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>>());

        var (response, _) = await InvokeAsync(host, "Missing", "{}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ResourceNotFoundException", response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task ThrowingHandler_ErrorTypeIsTheExceptionTypeName()
    {
        await using var host = await LambdaInvokeHost.StartAsync(new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>>
        {
            ["Broken"] = (_, _) => throw new InvalidDataException("boom"),
        });

        var (_, body) = await InvokeAsync(host, "123456789012:function:Broken:$LATEST", "{}");

        Assert.Equal(nameof(InvalidDataException), body.GetProperty("errorType").GetString());
        Assert.Equal("boom", body.GetProperty("errorMessage").GetString());
    }

    /// <summary>
    /// The template gives the ingress Lambda <c>LeadFlow__Encryption__KeyRingSecretArn</c>: read from Secrets Manager at
    /// init (the fake of the AWS boundary, SigV4 checked) as its other secrets are, the ring encrypts its workflow starts,
    /// so the history Temporal keeps holds the event's personal data only as ciphertext under the ring's active key. Both
    /// deliveries: the event itself, and the SQS batch of the template's TemporalLambda target.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithTheKeyRingSecret_TheWorkflowStartIsEncrypted(bool sqsBatch)
    {
        var temporal = await IngressTemporal.StartAsync();
        await using var aws = await FakeAwsServices.StartAsync();
        var ring = JsonSerializer.Serialize(new { activeKeyId = TestEncryptionKeys.FixtureKeyId, keys = new Dictionary<string, string> { [TestEncryptionKeys.FixtureKeyId] = TestEncryptionKeys.FixtureKeyBase64 } });
        var arn = aws.PutSecret("leadflow/payload-keys", ring);
        var environment = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingress:Target"] = "Temporal",
            ["Temporal:Address"] = temporal.Options.Address,
            ["Temporal:Namespace"] = temporal.Options.Namespace,
            ["Temporal:TaskQueue"] = temporal.TaskQueue,
            ["LeadFlow:Encryption:KeyRingSecretArn"] = arn,
            ["Aws:SecretsEndpoint"] = aws.Endpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = FakeAwsServices.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = FakeAwsServices.SecretAccessKey,
        }).Build();
        var function = new LeadEventFunction(SecretSettings.FromLambdaEnvironment(environment));
        var eventId = TestEvents.NewEventId();
        var envelope = TestEvents.Envelope(eventId);
        var (rut, mail) = ((string)envelope["detail"]!["rut"]!, (string)envelope["detail"]!["mail"]!);

        var delivery = !sqsBatch ? envelope : new JsonObject
        {
            ["Records"] = new JsonArray(new JsonObject
            {
                ["messageId"] = "m-1",
                ["receiptHandle"] = "r-1",
                ["body"] = envelope.ToJsonString(),
                ["attributes"] = new JsonObject { ["ApproximateReceiveCount"] = "1" },
                ["messageAttributes"] = new JsonObject(),
                ["eventSource"] = "aws:sqs",
                ["eventSourceARN"] = $"arn:aws:sqs:{FakeAwsServices.Region}:123456789012:lead-lambda",
                ["awsRegion"] = FakeAwsServices.Region,
            }),
        };

        await using var answer = await function.InvokeAsync(new MemoryStream(delivery.Bytes()), CancellationToken.None);

        var result = JsonDocument.Parse(answer).RootElement;
        if (sqsBatch)
        {
            Assert.Empty(result.GetProperty("batchItemFailures").EnumerateArray());
        }
        else
        {
            Assert.Equal("Started", result.GetProperty("status").GetString());
        }

        Assert.Equal(0, aws.Refused);
        var history = await temporal.Client.WorkflowService.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
        {
            Namespace = temporal.Options.Namespace,
            Execution = new() { WorkflowId = LeadWorkflowIds.ForEvent(eventId) },
        });
        var input = history.History.Events[0].WorkflowExecutionStartedEventAttributes.Input.Payloads_;
        Assert.NotEmpty(input);
        Assert.All(input, p => Assert.Equal(TestEncryptionKeys.FixtureKeyId, AesGcmPayloadCodec.KeyIdOf(p)));
        var raw = Encoding.UTF8.GetString(history.ToByteArray());
        Assert.DoesNotContain(mail, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(rut, raw, StringComparison.Ordinal);
    }

    /// <summary>A secret whose text is no key ring fails the Lambda's init naming the setting, never quoting the secret's text.</summary>
    [Theory]
    [InlineData("not-a-key-ring-3f9a0c", "LeadFlow__Encryption__KeyRing is not a key ring")]
    [InlineData("""{"activeKeyId":"k2","keys":{"k1":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}}""", "LeadFlow__Encryption__ActiveKeyId is \"k2\"")]
    public void KeyRingThatIsNotOne_FailsTheInit_NamingTheSetting_NeverTheSecret(string ring, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Ingress:Target"] = "Temporal", ["Temporal:Address"] = "127.0.0.1:7233", ["LeadFlow:Encryption:KeyRing"] = ring };

        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new LeadEventFunction(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("3f9a0c", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAECAwQF", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Name", "Name")]
    [InlineData("Name:prod", "Name")]
    [InlineData("123456789012:function:Name", "Name")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:Name", "Name")]
    [InlineData("arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3AName%3A1", "Name")]
    public void FunctionNames_AreFoundInNamesAndArns(string given, string expected) =>
        Assert.Equal(expected, LambdaInvokeHost.FunctionNameOf(given));

    private static Task<LambdaInvokeHost> HostAsync(TemporalOptions temporal, ILoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = temporal.Address,
            ["Temporal:Namespace"] = temporal.Namespace,
            ["Temporal:TaskQueue"] = temporal.TaskQueue,
            ["Temporal:RpcTimeoutSeconds"] = "2",
        }).Build();
        var function = logs is null
            ? new LeadEventFunction(configuration)
            : new LeadEventFunction(configuration, LoggerFactory.Create(b => b.AddProvider(logs)));
        return LambdaInvokeHost.StartAsync(new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>> { [FunctionName] = function.InvokeAsync });
    }

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> InvokeAsync(LambdaInvokeHost host, string function, string payload)
    {
        using var http = new HttpClient { BaseAddress = host.Endpoint };
        var response = await http.PostAsync(
            new Uri($"2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations", UriKind.Relative),
            new StringContent(payload, Encoding.UTF8));
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
