using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Aws;
using LeadFlow.Ingress.Lambda;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Tests.Support;
using LeadFlow.Temporal;
using LeadFlow.TestSupport.Aws;
using LeadFlow.TestSupport.Lambda;
using LeadFlow.TestSupport.Telemetry;
using LeadFlow.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Tests;

/// <summary>
/// The ingress Lambda as the Step Functions starter (<c>Ingress__Target=StepFunctions</c>), invoked through the local Lambda
/// Invoke host, against a fake of the Step Functions JSON 1.0 API on real Kestrel that checks the SigV4 signature and
/// keeps StartExecution's name rules (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
/// </summary>
public sealed class StepFunctionsStarterTests
{
    private const string FunctionName = "LeadIngress";

    [Fact]
    public async Task SameEventTwice_StartsOneExecution_NamedAfterTheEvent_Signed()
    {
        await using var aws = await FakeAwsServices.StartAsync();
        await using var host = await HostAsync(aws);
        var eventId = TestEvents.NewEventId();
        var json = TestEvents.Json(eventId);

        var (firstResponse, first) = await InvokeAsync(host, json);
        var (secondResponse, second) = await InvokeAsync(host, json);

        Assert.False(firstResponse.Headers.Contains("X-Amz-Function-Error"), first.ToString());
        Assert.False(secondResponse.Headers.Contains("X-Amz-Function-Error"), second.ToString());
        var execution = Assert.Single(aws.Executions.Values);
        Assert.Equal(eventId, execution.Name);
        Assert.Equal("Started", first.GetProperty("status").GetString());
        // A repeat while the execution runs is answered with the same execution (StartExecution is idempotent on name and input).
        Assert.Equal(first.GetProperty("runId").GetString(), second.GetProperty("runId").GetString());
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), first.GetProperty("workflowId").GetString());
        Assert.Equal(eventId, first.GetProperty("runId").GetString());
        Assert.Equal(0, aws.Refused);
        Assert.All(aws.Calls, call =>
        {
            Assert.Equal("states", call.SigningService);
            Assert.Contains("x-amz-target", call.SignedHeaders.Split(';'));
        });

        // The input is where the definition reads it: {"event": <envelope>}.
        var input = JsonNode.Parse(execution.Input)!;
        Assert.Equal(eventId, input["event"]!["id"]!.GetValue<string>());
    }

    /// <summary>
    /// With telemetry on, the invocation continues the rule's sampled X-Ray trace, and hands its own span to Step Functions
    /// as the execution's trace header, so the execution and its step Lambdas join the same trace; the span, the signed
    /// call under it and the start metric are exported by the time the invocation answered (the exporters batch for an hour).
    /// </summary>
    [Fact]
    public async Task WithTelemetry_TheExecutionGetsTheInvocationsTraceHeader_AndTheSpansAreExportedBeforeItAnswers()
    {
        await using var aws = await FakeAwsServices.StartAsync();
        var exported = new FlushedTelemetry();
        var epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture);
        var unique = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..24];
        var ruleSegment = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..16];
        await using var host = await HostAsync(aws, exported.AddTo, () => $"Root=1-{epoch}-{unique};Parent={ruleSegment};Sampled=1");
        var eventId = TestEvents.NewEventId();

        var (response, body) = await InvokeAsync(host, TestEvents.Json(eventId));

        var trace = exported.TraceOf(ActivityTraceId.CreateFromString(epoch + unique));
        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), body.ToString());
        var invocation = Assert.Single(trace, s => s.Source.Name == LeadEventFunction.ActivitySourceName);
        Assert.Equal(ruleSegment, invocation.ParentSpanId.ToHexString());
        Assert.Single(trace, s => s.Kind == ActivityKind.Client && s.ParentSpanId == invocation.SpanId && (string?)s.GetTagItem("http.request.method") == "POST");
        var start = Assert.Single(aws.Calls, c => c.Target == "AWSStepFunctions.StartExecution");
        Assert.Equal($"Root=1-{epoch}-{unique};Parent={invocation.SpanId.ToHexString()};Sampled=1", start.Body["traceHeader"]?.GetValue<string>());
        Assert.Contains(exported.MetricPoints, m => m.StartsWith("leadflow.ingress.starts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RedeliveryAfterTheExecutionClosed_IsADuplicate_NotAnError()
    {
        await using var aws = await FakeAwsServices.StartAsync();
        await using var host = await HostAsync(aws);
        var eventId = TestEvents.NewEventId();
        await InvokeAsync(host, TestEvents.Json(eventId));
        aws.Close(eventId, "FAILED");

        var (response, again) = await InvokeAsync(host, TestEvents.Json(eventId));

        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), again.ToString());
        Assert.Equal("Duplicate", again.GetProperty("status").GetString());
        Assert.Single(aws.Executions);
        Assert.Contains(aws.Calls, c => c.Target == "AWSStepFunctions.DescribeExecution");
    }

    [Fact]
    public async Task SameIdOtherContent_IsADuplicate_TheFirstDeliveryWins()
    {
        await using var aws = await FakeAwsServices.StartAsync();
        var starter = Starter(aws);
        var eventId = TestEvents.NewEventId();

        await starter.StartAsync(TestEvents.Envelope(eventId).Bytes());
        var other = TestEvents.Envelope(eventId, TestEvents.Lead());
        var outcome = await starter.StartAsync(other.Bytes());

        Assert.Equal(StartStatus.Duplicate, outcome.Status);
        Assert.True(outcome.ContentDiffers);
        Assert.Single(aws.Executions);
    }

    [Theory]
    [InlineData("e 1/with:unsafe#chars")]
    [InlineData("a-very-long-event-id-from-some-producer-that-does-not-use-uuids-at-all-0123456789-abcdefghij")]
    public async Task UnsafeOrLongEventIds_GetAValidStableName(string eventId)
    {
        await using var aws = await FakeAwsServices.StartAsync();
        var starter = Starter(aws);

        var first = await starter.StartAsync(TestEvents.Envelope(eventId).Bytes());
        var second = await starter.StartAsync(TestEvents.Envelope(eventId).Bytes());

        Assert.True(StepFunctionsExecutionNames.IsValid(first.RunId), first.RunId);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Equal(StartStatus.Duplicate, second.Status);
        Assert.Equal(LeadWorkflowIds.ForEvent(eventId), first.WorkflowId);
        Assert.Single(aws.Executions);
        Assert.Equal(0, aws.Refused);
    }

    [Fact]
    public void ExecutionNames_AreDistinctForDistinctIds_AndAtMost80SafeCharacters()
    {
        var ids = new[] { "a:b", "a/b", "a b", "a_b", new string('x', 81), new string('x', 82), "7f1c2a3e-0000-4000-8000-000000000001" };

        var names = ids.Select(StepFunctionsExecutionNames.For).ToList();

        Assert.Equal(ids.Length, names.Distinct().Count());
        Assert.All(names, n => Assert.True(StepFunctionsExecutionNames.IsValid(n), n));
        Assert.Equal("a_b", names[3]);
        Assert.Equal(ids[^1], names[^1]);
    }

    [Fact]
    public async Task StepFunctionsRefusingTheStart_IsAFunctionError_SoTheEventIsKept()
    {
        await using var aws = await FakeAwsServices.StartAsync();
        await using var host = await HostAsync(aws);
        aws.FailStartsWith = "ThrottlingException";

        var (response, body) = await InvokeAsync(host, TestEvents.Json());

        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("OrchestratorUnavailable", body.GetProperty("errorType").GetString());
        Assert.Empty(aws.Executions);
    }

    [Fact]
    public async Task WrongCredentials_AreRefusedByTheSignatureCheck()
    {
        await using var aws = await FakeAwsServices.StartAsync();
        using var http = new HttpClient();
        var options = Options(aws);
        var starter = new StepFunctionsLeadStarter(new StepFunctionsHttpClient(new AwsJsonClient(http, new AwsCredentials(FakeAwsServices.AccessKeyId, "wrong")), options.Endpoint, options.Region!), options);

        await Assert.ThrowsAsync<OrchestratorUnavailableException>(() => starter.StartAsync(TestEvents.Envelope().Bytes()));
        Assert.Equal(1, aws.Refused);
    }

    [Theory]
    [InlineData("Ingress:StepFunctions:StateMachineArn", "not-an-arn", "Ingress__StepFunctions__StateMachineArn")]
    [InlineData("Ingress:StepFunctions:Region", "", "Ingress__StepFunctions__Region")]
    [InlineData("Ingress:Target", "Kafka", "Ingress__Target")]
    public void WrongStarterSetting_FailsTheInit_NamingTheVariable(string key, string value, string variable)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingress:Target"] = "StepFunctions",
            ["Ingress:StepFunctions:StateMachineArn"] = FakeAwsServices.StateMachineArn,
            ["AWS_ACCESS_KEY_ID"] = FakeAwsServices.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = FakeAwsServices.SecretAccessKey,
            [key] = value,
        };

        var refused = Assert.Throws<OptionsValidationException>(() => new LeadEventFunction(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));

        Assert.Contains(variable, refused.Message, StringComparison.Ordinal);
    }

    /// <summary>With the Temporal target the Lambda binds the same <c>Temporal__*</c> settings as the worker and the CLI, validated at init.</summary>
    [Theory]
    [InlineData("Temporal:Address", "no-port", "Temporal__Address")]
    [InlineData("Temporal:Tls:ClientCert", "-----BEGIN CERTIFICATE-----", "Temporal__Tls__ClientKey")]
    [InlineData("Temporal:Tls:ClientKeyPath", "/nonexistent/client.key", "Temporal__Tls__ClientKeyPath")]
    public void WrongTemporalSetting_FailsTheInit_NamingTheVariable(string key, string value, string variable)
    {
        var settings = new Dictionary<string, string?> { ["Ingress:Target"] = "Temporal", [key] = value };

        var refused = Assert.Throws<OptionsValidationException>(() => new LeadEventFunction(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));

        Assert.Contains(variable, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemporalApiKey_IsReadFromTheSecretStore_AtInit()
    {
        await using var aws = await FakeAwsServices.StartAsync();
        var arn = aws.PutSecret("leadflow/temporal-api-key", "tmprl-api-key-from-secrets-manager");
        var environment = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Temporal:Address"] = "ns.acct.tmprl.cloud:7233",
            ["Temporal:ApiKeySecretArn"] = arn,
            ["Aws:SecretsEndpoint"] = aws.Endpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = FakeAwsServices.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = FakeAwsServices.SecretAccessKey,
        }).Build();

        var resolved = SecretSettings.FromLambdaEnvironment(environment);

        Assert.Equal("tmprl-api-key-from-secrets-manager", TemporalOptions.Bind(resolved).ApiKey);
        Assert.Equal("secretsmanager.GetSecretValue", Assert.Single(aws.Calls).Target);
    }

    private static StepFunctionsStarterOptions Options(FakeAwsServices aws) =>
        new() { StateMachineArn = FakeAwsServices.StateMachineArn, Region = FakeAwsServices.Region, ServiceUrl = aws.Endpoint.ToString() };

    private static StepFunctionsLeadStarter Starter(FakeAwsServices aws)
    {
        var options = Options(aws);
        return new StepFunctionsLeadStarter(
            new StepFunctionsHttpClient(new AwsJsonClient(new HttpClient(), new AwsCredentials(FakeAwsServices.AccessKeyId, FakeAwsServices.SecretAccessKey)), options.Endpoint, options.Region!),
            options);
    }

    private static Task<LambdaInvokeHost> HostAsync(FakeAwsServices aws, Action<OpenTelemetry.IOpenTelemetryBuilder>? configureTelemetry = null, Func<string?>? xrayHeader = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingress:Target"] = "StepFunctions",
            ["Ingress:StepFunctions:StateMachineArn"] = FakeAwsServices.StateMachineArn,
            ["Ingress:StepFunctions:ServiceUrl"] = aws.Endpoint.ToString(),
            ["AWS_REGION"] = FakeAwsServices.Region,
            ["AWS_ACCESS_KEY_ID"] = FakeAwsServices.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = FakeAwsServices.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = "session-token-of-the-function-role",
        }).Build();
        var function = new LeadEventFunction(configuration, loggerFactory: null, http: null, configureTelemetry, xrayHeader);
        return LambdaInvokeHost.StartAsync(new Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>> { [FunctionName] = function.InvokeAsync });
    }

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> InvokeAsync(LambdaInvokeHost host, string payload)
    {
        using var http = new HttpClient { BaseAddress = host.Endpoint };
        var response = await http.PostAsync(new Uri($"2015-03-31/functions/{FunctionName}/invocations", UriKind.Relative), new StringContent(payload, Encoding.UTF8));
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
