using LeadFlow.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// Telemetry settings the OpenTelemetry SDK would ignore without a word (falling back to its defaults: every trace kept,
/// the 2,048 queue that loses spans) are refused, naming the variable and the rule.
/// </summary>
public sealed class TelemetrySettingsTests
{
    [Theory]
    [InlineData("OTEL_BSP_MAX_QUEUE_SIZE", "abc", null, "OTEL_BSP_MAX_QUEUE_SIZE must be a positive whole number; it is 'abc'")]
    [InlineData("OTEL_BSP_MAX_QUEUE_SIZE", "-5", null, "OTEL_BSP_MAX_QUEUE_SIZE must be a positive whole number; it is '-5'")]
    [InlineData("OTEL_BLRP_MAX_QUEUE_SIZE", "0", null, "OTEL_BLRP_MAX_QUEUE_SIZE must be a positive whole number; it is '0'")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "1.5", null, "OTEL_METRIC_EXPORT_INTERVAL must be a positive whole number; it is '1.5'")]
    [InlineData("OTEL_TRACES_SAMPLER", "bogus", null, "OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; it is 'bogus'")]
    [InlineData("OTEL_TRACES_SAMPLER_ARG", "0.5", null, "OTEL_TRACES_SAMPLER_ARG is only read by OTEL_TRACES_SAMPLER=parentbased_traceidratio (or traceidratio); with OTEL_TRACES_SAMPLER unset it would be ignored and every trace kept")]
    [InlineData("OTEL_TRACES_SAMPLER_ARG", "abc", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of traces kept); it is 'abc'")]
    [InlineData("OTEL_TRACES_SAMPLER_ARG", "1.5", "traceidratio", "OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of traces kept); it is '1.5'")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector:4317", null, "OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) URI such as http://localhost:4317 (OTLP/gRPC) or http://localhost:4318 with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf; it is 'ftp://collector:4317'")]
    public void BadSetting_IsNamedWithItsRule(string name, string value, string? sampler, string expected)
    {
        var configuration = Configuration((name, value), ("OTEL_TRACES_SAMPLER", sampler));

        Assert.Equal(expected, LeadFlowTelemetry.SettingsProblem(configuration));

        // A host with an endpoint refuses to start with the same words.
        var withEndpoint = Configuration((name, value), ("OTEL_TRACES_SAMPLER", sampler), ("OTEL_EXPORTER_OTLP_ENDPOINT", name == "OTEL_EXPORTER_OTLP_ENDPOINT" ? value : "http://127.0.0.1:4317"));
        var refused = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddLeadFlowTelemetry(withEndpoint, "test"));
        Assert.Equal(expected, refused.Message);
    }

    [Fact]
    public void GoodSettings_AreNoProblem()
    {
        var configuration = Configuration(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "4096"),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "4096"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.25"));

        Assert.Null(LeadFlowTelemetry.SettingsProblem(configuration));
        Assert.Null(LeadFlowTelemetry.SettingsProblem(Configuration()));
    }

    /// <summary>The settings given a value; the first of a name wins.</summary>
    private static IConfiguration Configuration(params (string Name, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null).DistinctBy(s => s.Name).Select(s => new KeyValuePair<string, string?>(s.Name, s.Value))).Build();
}
