using LeadFlow.Cli.Tests.Support;
using LeadFlow.Workflows;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// Alone, after the parallel collections: the demo's trace links need the process's one telemetry set-up, which a stack
/// started beside it (the local stack collection's, the personal data test's) would otherwise own ("Telemetry shared
/// with another stack in this process", and no link).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoCollection
{
    public const string Name = "demo with the process's telemetry";
}

/// <summary><c>leadflow demo</c> through its real entry point: its own stack, the embedded Temporal, temporary data.</summary>
[Collection(DemoCollection.Name)]
public sealed class DemoTests(ITestOutputHelper output)
{
    private static readonly string[] Demo = ["demo", "--temporal", "Embedded"];

    [Fact]
    public async Task Demo_EveryLeadReachesItsExpectedOutcome_ExitsZero()
    {
        var result = await CliRun.RunAsync(Demo);
        output.WriteLine(result.Output);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Demo passed: all 7 leads reached their expected outcome.", result.Output, StringComparison.Ordinal);
        Assert.Contains("WARNING: The embedded Temporal server is for local runs only", result.Output, StringComparison.Ordinal);
        Assert.Contains("DEMO FAULT", result.Output, StringComparison.Ordinal);
        foreach (var line in new[] { "valid (benefit)", "duplicate delivery", "invalid RUT", "transient failure", "permanent failure" })
        {
            Assert.Contains(line, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Completed (2 deliveries, 1 duplicate, 1 run)", result.Output, StringComparison.Ordinal);
        Assert.Contains("Rejected", result.Output, StringComparison.Ordinal);
        Assert.Contains("CreateBenefit (CrmRejected)", result.Output, StringComparison.Ordinal);
        Assert.Contains("retried through 2x 503 (demo fault)", result.Output, StringComparison.Ordinal);
        Assert.Contains("same person again", result.Output, StringComparison.Ordinal);
        Assert.Contains("(existed), benefit", result.Output, StringComparison.Ordinal);
        Assert.Contains("kept for review: mail, phone", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", result.Output, StringComparison.Ordinal);

        // The embedded server's Web UI, and each lead's page in it.
        Assert.Matches(@"Temporal Web UI +http://127\.0\.0\.1:\d+/namespaces/default/workflows", result.Output);
        Assert.Contains("Each lead in the Temporal Web UI", result.Output, StringComparison.Ordinal);

        // The Aspire dashboard beside the Web UI, and each lead linked to its trace.
        Assert.Matches(@"Aspire dashboard +http://127\.0\.0\.1:\d+/", result.Output);
        Assert.Equal(LeadFlow.Cli.Demo.DemoLeads.Create("any", new Random()).Count, System.Text.RegularExpressions.Regex.Matches(result.Output, @"http://127\.0\.0\.1:\d+/traces/detail/[0-9a-f]{32}").Count);
        Assert.Equal(LeadFlow.Cli.Demo.DemoLeads.Create("any", new Random()).Count, System.Text.RegularExpressions.Regex.Matches(result.Output, @"http://127\.0\.0\.1:\d+/namespaces/default/workflows/lead-demo-[\w-]+/[0-9a-f-]{36}/history").Count);
    }

    [Fact]
    public async Task Demo_LeadMissesItsExpectation_ExitsNonZeroWithTheReason()
    {
        var result = await CliRun.RunAsync(
            Demo,
            editDemoLeads: leads => [.. leads.Select(l => l.Label == "invalid RUT" ? l with { Expected = LeadOutcome.Completed, ExpectedStep = null } : l)]);
        output.WriteLine(result.Output);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Demo FAILED", result.Output, StringComparison.Ordinal);
        Assert.Contains("invalid RUT: expected Completed, got Rejected at ReceiveLead", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_WithEveryTraceSampledOut_LinksNoTrace_AndSaysWhy()
    {
        var result = await CliRun.RunAsync(Demo, new Dictionary<string, string?> { ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio", ["OTEL_TRACES_SAMPLER_ARG"] = "0" });
        output.WriteLine(result.Output);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotMatch(@"/traces/detail/", result.Output);
        var leads = LeadFlow.Cli.Demo.DemoLeads.Create("any", new Random()).Count;
        Assert.Contains($"Traces of {leads} of the {leads} leads were not kept by the sampler", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_InvalidSetting_ExitsWithTheVariableToFix()
    {
        var result = await CliRun.RunAsync(Demo, new Dictionary<string, string?> { ["LeadFlow:BackendPort"] = "70000" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("LeadFlow__BackendPort must be a TCP port", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-url")]
    [InlineData("ftp://collector:4317")]
    public async Task Demo_InvalidOtlpEndpoint_IsAConfigurationErrorNamingTheVariable(string endpoint)
    {
        var result = await CliRun.RunAsync(Demo, new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Configuration error", result.Output, StringComparison.Ordinal);
        Assert.Contains($"OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) URI", result.Output, StringComparison.Ordinal);
        Assert.Contains(endpoint, result.Output, StringComparison.Ordinal);
    }

    /// <summary>Values the OpenTelemetry SDK would ignore silently (the 2,048 queue, every trace kept) stop the demo before anything starts.</summary>
    [Theory]
    [InlineData("OTEL_BSP_MAX_QUEUE_SIZE", "abc", "OTEL_BSP_MAX_QUEUE_SIZE must be a positive whole number")]
    [InlineData("OTEL_TRACES_SAMPLER_ARG", "0.5", "OTEL_TRACES_SAMPLER_ARG is only read by OTEL_TRACES_SAMPLER=parentbased_traceidratio")]
    public async Task Demo_InvalidTelemetrySetting_IsAConfigurationErrorNamingTheVariable(string name, string value, string expected)
    {
        var result = await CliRun.RunAsync(Demo, new Dictionary<string, string?> { [name] = value });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Configuration error", result.Output, StringComparison.Ordinal);
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:4317")]
    [InlineData("grpc", "http://127.0.0.1:4317")]
    [InlineData("http/protobuf", "http://127.0.0.1:4318")]
    [InlineData("HTTP/PROTOBUF", "http://127.0.0.1:4318")]
    public void LocalDashboard_GetsTheTransportTheProtocolNames(string? protocol, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol })
            .Build();

        Assert.Equal(expected, LeadFlow.Cli.Hosting.LocalStack.DashboardEndpoint(configuration, new Uri("http://127.0.0.1:4317"), new Uri("http://127.0.0.1:4318")));
    }
}
