using System.Collections;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Converters;
using LeadFlow.Temporal.Tracing;

namespace LeadFlow.TestSupport;

/// <summary>Every Temporal payload a history holds, found by walking the protobuf messages (inputs, results, memos, failures' details and encoded attributes, ...).</summary>
public static class HistoryPayloads
{
    /// <summary>
    /// Every <see cref="Payload"/> in <paramref name="message"/> and below it, except search attributes (the server must
    /// index them, so Temporal never runs them through a codec; they hold no personal data here) and the bookkeeping of
    /// the SDK core's markers (<c>core_local_activity</c>'s <c>data</c>, <c>core_patch</c>'s <c>patch_data</c>: written by
    /// the SDK as plain JSON, holding sequence numbers, activity types, times and patch ids only).
    /// </summary>
    public static IEnumerable<Payload> All(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is Payload payload)
        {
            yield return payload;
            yield break;
        }

        if (message is SearchAttributes)
        {
            yield break;
        }

        if (message is Header header)
        {
            // The tracing interceptor's W3C trace context (`_tracer-data`) is written with the plain payload converter,
            // as Temporal's OpenTelemetry interceptors do, so every part can read it without the key; it is skipped only
            // while it holds nothing but the W3C fields (traceparent, tracestate): anything else in it is reported.
            foreach (var (key, value) in header.Fields)
            {
                if (key != TemporalTracingInterceptor.HeaderKey || !IsOnlyTraceContext(value))
                {
                    yield return value;
                }
            }

            yield break;
        }

        if (message is MarkerRecordedEventAttributes marker && marker.MarkerName.StartsWith("core_", StringComparison.Ordinal))
        {
            // The SDK core's own markers (local activity, patch): it writes their bookkeeping (seq, attempt, activity
            // type, times; the patch id) as plain JSON, never through the codec; only a local activity's result and
            // failure come from the workflow's data, and those are encoded.
            foreach (var found in (marker.Details.TryGetValue("result", out var result) ? All(result) : [])
                .Concat(marker.Failure is null ? [] : All(marker.Failure)))
            {
                yield return found;
            }

            yield break;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.Message)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            IEnumerable children = field.IsMap ? ((IDictionary)value).Values : field.IsRepeated ? (IList)value : value is null ? [] : new[] { value };
            foreach (var child in children.OfType<IMessage>())
            {
                foreach (var found in All(child))
                {
                    yield return found;
                }
            }
        }
    }

    private static bool IsOnlyTraceContext(Payload payload)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(payload.Data.Memory);
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.EnumerateObject().All(p => p.Name is "traceparent" or "tracestate");
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Every payload of the history's events.</summary>
    public static IEnumerable<Payload> All(IEnumerable<HistoryEvent> events) => events.SelectMany(e => All((IMessage)e));

    /// <summary>
    /// What a person reading the history decoded would see: every payload decoded by <paramref name="converter"/>'s codec,
    /// and every failure's message, as text (payload data as UTF-8), one per line.
    /// </summary>
    public static async Task<string> DecodedTextAsync(IEnumerable<HistoryEvent> events, DataConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        var text = new StringBuilder();
        foreach (var e in events)
        {
            var copy = e.Clone();
            foreach (var failure in Failures(copy))
            {
                await LeadFlow.Temporal.Encryption.EncodedFailures.DecodeInPlaceAsync(converter, failure);
                text.AppendLine(failure.Message);
            }

            var payloads = All((IMessage)copy).ToList();
            var decoded = converter.PayloadCodec is { } codec ? await codec.DecodeAsync(payloads) : payloads;
            foreach (var p in decoded)
            {
                text.AppendLine(p.Data.ToStringUtf8());
            }
        }

        return text.ToString();
    }

    private static IEnumerable<Failure> Failures(IMessage message) =>
        message.Descriptor.Fields.InFieldNumberOrder()
            .Where(f => f.FieldType == FieldType.Message && !f.IsRepeated && !f.IsMap)
            .Select(f => f.Accessor.GetValue(message))
            .OfType<IMessage>()
            .SelectMany(child => child is Failure failure ? [failure] : Failures(child));
}
