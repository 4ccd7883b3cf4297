using Microsoft.Extensions.Configuration;

namespace LeadFlow.Temporal.Tracing;

/// <summary>
/// Where the Temporal SDK's own metrics (workflow task and activity latencies, poller counts, sticky cache) go: the
/// standard OpenTelemetry exporter settings, read once for every host.
/// </summary>
public sealed record TemporalMetricsExport
{
    /// <summary><c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, e.g. <c>http://localhost:4317</c>; null: the SDK exports no metrics.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary><c>OTEL_EXPORTER_OTLP_PROTOCOL</c> is <c>http/protobuf</c> (the endpoint is then the OTLP/HTTP one; <c>/v1/metrics</c> is added); gRPC otherwise.</summary>
    public bool HttpProtobuf { get; init; }

    /// <summary>Reads the two variables; an endpoint that is not an absolute URI counts as none (the tracing set-up reports it).</summary>
    public static TemporalMetricsExport Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var endpoint = Uri.TryCreate(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"], UriKind.Absolute, out var uri) ? uri : null;
        var http = string.Equals(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"], "http/protobuf", StringComparison.OrdinalIgnoreCase);
        return new TemporalMetricsExport { Endpoint = endpoint, HttpProtobuf = http };
    }
}
