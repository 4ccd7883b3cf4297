using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadFlow.Hosting.Telemetry;
using LeadFlow.StepFunctions.Tests.Support;
using LeadFlow.Steps;
using LeadFlow.TestSupport;
using LeadFlow.TestSupport.Lambda;
using LeadFlow.TestSupport.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>
/// The step Lambdas' telemetry, invoked through the local Lambda Invoke API against the real backend: a span per
/// invocation in the execution's X-Ray trace, the CRM call under it, the step metrics and logs, all exported by the time
/// the invocation has answered (Lambda freezes the process right after), with no personal data; nothing without an endpoint.
/// </summary>
public sealed class StepLambdaTelemetryTests(CrmBackendFixture backend) : IClassFixture<CrmBackendFixture>
{
    [Fact]
    public async Task CreateClient_ExportsItsSpan_TheCrmCallUnderIt_MetricsAndLogs_BeforeTheInvocationAnswers()
    {
        var exported = new FlushedTelemetry();
        var (xrayHeader, xray) = SampledXRayHeader();
        using var handlers = new LeadOnboardingStepHandlers(Settings(), exported.AddTo, () => xrayHeader);
        await using var lambda = await LambdaInvokeHost.StartAsync(Functions(handlers));
        using var http = new HttpClient { BaseAddress = lambda.Endpoint };
        var rut = TestEvents.NewRut();
        var envelope = TestEvents.Envelope(rut);
        var leadId = TestEvents.LeadIdOf(envelope);

        var received = await InvokeAsync(http, LeadOnboardingSteps.ReceiveLead, new JsonObject { ["executionName"] = leadId, ["event"] = envelope });
        var created = await InvokeAsync(http, LeadOnboardingSteps.CreateClient, new JsonObject { ["leadId"] = leadId, ["lead"] = received["lead"]!.DeepClone(), ["runId"] = leadId });

        // Read at once: the exporters batch for an hour, so only the handlers' own flush can have put anything here.
        var trace = exported.TraceOf(xray.TraceId);
        var logs = exported.LogRecords.ToList();
        var metrics = exported.MetricPoints.ToList();
        Assert.True(created["created"]!.GetValue<bool>(), created.ToJsonString());
        var step = Assert.Single(trace, s => s.DisplayName == LeadOnboardingSteps.CreateClient);
        Assert.Single(trace, s => s.DisplayName == LeadOnboardingSteps.ReceiveLead && s.ParentSpanId == xray.SpanId);
        Assert.Equal(ActivityKind.Server, step.Kind);
        Assert.Equal(xray.SpanId, step.ParentSpanId);
        Assert.Equal(LeadOnboardingSteps.CreateClient, step.GetTagItem(LeadFlowMetrics.StepAttribute));
        var call = Assert.Single(trace, s => s.Kind == ActivityKind.Client && s.ParentSpanId == step.SpanId);
        Assert.Equal("POST", call.GetTagItem("http.request.method"));
        Assert.EndsWith("/create_client", (string?)call.GetTagItem("url.full"), StringComparison.Ordinal);
        Assert.InRange(Convert.ToInt32(call.GetTagItem("http.response.status_code"), CultureInfo.InvariantCulture), 200, 299);
        Assert.Contains(metrics, m => m.StartsWith("leadflow.step.duration ", StringComparison.Ordinal) && m.Contains($"leadflow.step={LeadOnboardingSteps.CreateClient}", StringComparison.Ordinal));
        Assert.Contains(metrics, m => m.StartsWith("http.client.request.duration", StringComparison.Ordinal));

        var personal = PersonalData(envelope);
        Assert.All(trace.Select(FlushedTelemetry.Render).Concat(logs), text => Assert.DoesNotContain(personal, p => text.Contains(p, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task AFailedStep_IsAnErrorSpanNamingTheError_AndItsWarningAndMetricAreExported()
    {
        var exported = new FlushedTelemetry();
        var (xrayHeader, xray) = SampledXRayHeader();
        using var handlers = new LeadOnboardingStepHandlers(Settings(), exported.AddTo, () => xrayHeader);
        await using var lambda = await LambdaInvokeHost.StartAsync(Functions(handlers));
        using var http = new HttpClient { BaseAddress = lambda.Endpoint };
        var envelope = TestEvents.Envelope(TestEvents.InvalidRut());

        using var response = await PostAsync(http, LeadOnboardingSteps.ReceiveLead, new JsonObject { ["executionName"] = "telemetry", ["event"] = envelope });

        var span = Assert.Single(exported.TraceOf(xray.TraceId), s => s.DisplayName == LeadOnboardingSteps.ReceiveLead);
        var logs = exported.LogRecords.ToList();
        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("LeadRejected", span.GetTagItem("error.type"));
        Assert.Contains(logs, l => l.Contains("LeadRejected", StringComparison.Ordinal) && l.Contains("Step=ReceiveLead", StringComparison.Ordinal));
        Assert.Contains(exported.MetricPoints, m => m.StartsWith("leadflow.step.duration ", StringComparison.Ordinal) && m.Contains("error.type=LeadRejected", StringComparison.Ordinal));
        var personal = PersonalData(envelope);
        Assert.All(logs.Append(FlushedTelemetry.Render(span)), text => Assert.DoesNotContain(personal, p => text.Contains(p, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Lambda passes an unsampled header whenever X-Ray is not tracing: following it would record nothing.</summary>
    [Fact]
    public async Task AnUnsampledXRayHeader_StartsATraceOfItsOwn_LinkedToIt()
    {
        var exported = new FlushedTelemetry();
        var (sampledHeader, xray) = SampledXRayHeader();
        var unsampled = sampledHeader.Replace("Sampled=1", "Sampled=0", StringComparison.Ordinal);
        using var handlers = new LeadOnboardingStepHandlers(Settings(), exported.AddTo, () => unsampled);
        await using var lambda = await LambdaInvokeHost.StartAsync(Functions(handlers));
        using var http = new HttpClient { BaseAddress = lambda.Endpoint };
        var executionName = $"unsampled-{Guid.NewGuid():N}";

        await InvokeAsync(http, LeadOnboardingSteps.ReceiveLead, new JsonObject { ["executionName"] = executionName, ["event"] = TestEvents.Envelope(TestEvents.NewRut()) });

        var span = Assert.Single(exported.Spans, s => s.DisplayName == LeadOnboardingSteps.ReceiveLead && s.Links.Any(l => l.Context.TraceId == xray.TraceId));
        Assert.NotEqual(xray.TraceId, span.TraceId);
        Assert.True(span.Recorded);
        Assert.Equal(xray.SpanId, span.Links.Single().Context.SpanId);
    }

    /// <summary>The flush is bounded: a collector that takes the connection and never answers costs an invocation at most the budget.</summary>
    [Fact]
    public async Task ACollectorThatNeverAnswers_DelaysAnInvocationByTheFlushBudgetAtMost()
    {
        using var silent = new TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var endpoint = $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}";
        using var handlers = new LeadOnboardingStepHandlers(Settings(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" }), configureTelemetry: null);
        await using var lambda = await LambdaInvokeHost.StartAsync(Functions(handlers));
        using var http = new HttpClient { BaseAddress = lambda.Endpoint };

        var elapsed = Stopwatch.StartNew();
        var received = await InvokeAsync(http, LeadOnboardingSteps.ReceiveLead, new JsonObject { ["executionName"] = "silent", ["event"] = TestEvents.Envelope(TestEvents.NewRut()) });
        elapsed.Stop();

        Assert.True(handlers.ExportsTelemetry);
        Assert.NotNull(received["leadId"]);
        // The flush waited for the collector (the budget), then gave up instead of the exporter's own 10 s timeout.
        Assert.InRange(elapsed.Elapsed, LambdaTelemetry.FlushBudget * 0.9, LambdaTelemetry.FlushBudget + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void WithoutAnEndpoint_NothingIsRegistered()
    {
        var services = new ServiceCollection();
        LambdaTelemetry.Register(services, Settings(), LeadOnboardingStepHandlers.ServiceName);
        using var handlers = new LeadOnboardingStepHandlers(Settings());
        using var withEndpoint = new LeadOnboardingStepHandlers(Settings(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" }));

        Assert.Empty(services);
        Assert.False(handlers.ExportsTelemetry);
        Assert.True(withEndpoint.ExportsTelemetry);
    }

    [Fact]
    public void WithAnEndpoint_TracesMetricsAndLogsAreRegistered()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        LambdaTelemetry.Register(services, Settings(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" }), LeadOnboardingStepHandlers.ServiceName);
        using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetService<TracerProvider>());
        Assert.NotNull(provider.GetService<MeterProvider>());
        Assert.NotNull(provider.GetService<LoggerProvider>());
    }

    private IConfiguration Settings(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Crm:BaseUrl"] = backend.Host.BaseAddress.ToString(),
            ["Crm:ApiKey"] = backend.Host.ApiKey,
            ["Logging:LogLevel:Default"] = "Information",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    private static Dictionary<string, Func<Stream, CancellationToken, Task<Stream>>> Functions(LeadOnboardingStepHandlers handlers) => new()
    {
        [LeadOnboardingSteps.ReceiveLead] = (input, _) => handlers.ReceiveLeadAsync(input),
        [LeadOnboardingSteps.CreateClient] = (input, _) => handlers.CreateClientAsync(input),
    };

    /// <summary>A header as Lambda sets it for a traced Step Functions execution: the root's first part is the epoch second.</summary>
    private static (string Header, ActivityContext Context) SampledXRayHeader()
    {
        var epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture);
        var unique = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..24];
        var parent = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..16];
        var header = $"Root=1-{epoch}-{unique};Parent={parent};Sampled=1;Lineage=a87bd80c:1";
        Assert.True(XRayTraceHeader.TryParse(header, out var context));
        Assert.Equal(epoch + unique, context.TraceId.ToHexString());
        return (header, context);
    }

    private static string[] PersonalData(JsonObject envelope)
    {
        var detail = envelope["detail"]!;
        var rut = detail["rut"]!.GetValue<string>();
        var phone = detail["phone"]!.GetValue<string>();
        return [rut, rut.Replace("-", "", StringComparison.Ordinal), phone, new string([.. phone.Where(char.IsAsciiDigit)]), detail["mail"]!.GetValue<string>()];
    }

    private static async Task<JsonObject> InvokeAsync(HttpClient http, string function, JsonObject input)
    {
        using var response = await PostAsync(http, function, input);
        var body = await response.Content.ReadAsStringAsync();
        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), $"{function} failed: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string function, JsonObject input) =>
        http.PostAsync(new Uri($"2015-03-31/functions/{function}/invocations", UriKind.Relative), new StringContent(input.ToJsonString(), Encoding.UTF8, "application/json"));
}
