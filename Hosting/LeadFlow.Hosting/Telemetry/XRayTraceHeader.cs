using System.Diagnostics;

namespace LeadFlow.Hosting.Telemetry;

/// <summary>
/// The AWS X-Ray trace header (<c>Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1</c>) as
/// a W3C trace context, the way the X-Ray propagator of OpenTelemetry maps it: the trace id is the root's two hex
/// parts joined (8 + 24 = 32 hex digits), the parent is the span id, <c>Sampled=1</c> is the recorded flag. Lambda sets it
/// per invocation in <c>_X_AMZN_TRACE_ID</c>; SQS carries it in a message's <c>AWSTraceHeader</c> system attribute.
/// (The other way, a span to a header, is <c>LeadFlow.Aws.StepFunctionsHttpClient.TraceHeaderOf</c>, where it is sent.)
/// </summary>
public static class XRayTraceHeader
{
    /// <summary>Where Lambda puts the invocation's header (set anew before each invocation).</summary>
    public const string LambdaVariable = "_X_AMZN_TRACE_ID";

    /// <summary>
    /// The trace context of <paramref name="header"/>; false when it is absent or lacks a valid root or parent (the
    /// key order and unknown keys such as <c>Lineage</c> do not matter).
    /// </summary>
    public static bool TryParse(string? header, out ActivityContext context)
    {
        context = default;
        if (string.IsNullOrWhiteSpace(header) || header.Length > 512)
        {
            return false;
        }

        string? root = null;
        string? parent = null;
        var sampled = false;
        foreach (var part in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var value = part[(equals + 1)..].Trim();
            switch (part[..equals].Trim())
            {
                case "Root":
                    root = value;
                    break;
                case "Parent":
                    parent = value;
                    break;
                case "Sampled":
                    sampled = value == "1";
                    break;
            }
        }

        // Root=1-<8 hex epoch seconds>-<24 hex>.
        if (root is not { Length: 35 } || !root.StartsWith("1-", StringComparison.Ordinal) || root[10] != '-' || parent is not { Length: 16 })
        {
            return false;
        }

        var traceHex = string.Concat(root.AsSpan(2, 8), root.AsSpan(11, 24));
        if (!IsLowerHex(traceHex) || !IsLowerHex(parent) || traceHex.All(c => c == '0') || parent.All(c => c == '0'))
        {
            return false;
        }

        context = new ActivityContext(
            ActivityTraceId.CreateFromString(traceHex),
            ActivitySpanId.CreateFromString(parent),
            sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None,
            isRemote: true);
        return true;
    }

    private static bool IsLowerHex(string value) => value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
