using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace LeadFlow.EmbeddedTemporal.Visibility;

/// <summary>
/// Search attribute payloads (json/plain, as every SDK writes them) read as typed values: string (Keyword,
/// Text), long (Int), double (Double), bool (Bool), DateTime UTC (Datetime) or a list of strings (KeywordList),
/// following the server's searchattribute.DecodeValue (a KeywordList also takes a single string).
/// </summary>
internal static class SearchAttributeValues
{
    private static readonly ByteString JsonPlain = ByteString.CopyFromUtf8("json/plain");

    /// <summary>A payload of <c>null</c> or <c>[]</c> removes the attribute (the server's payload.MergeMapOfPayload).</summary>
    public static bool IsUnset(Payload payload)
    {
        var text = payload.Data.ToStringUtf8().Trim();
        return text.Length == 0 || text == "null" || text == "[]";
    }

    public static bool TryDecode(Payload payload, IndexedValueType type, out object? value)
    {
        value = null;
        try
        {
            using var document = JsonDocument.Parse(payload.Data.Memory);
            value = FromJson(document.RootElement, type);
            return value is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The value as the server would write it back, with the attribute's type in the metadata.</summary>
    public static Payload WithType(Payload payload, IndexedValueType type)
    {
        var typed = payload.Clone();
        typed.Metadata["type"] = ByteString.CopyFromUtf8(SystemSearchAttributes.TypeName(type));
        if (!typed.Metadata.ContainsKey("encoding"))
        {
            typed.Metadata["encoding"] = JsonPlain;
        }

        return typed;
    }

    /// <summary>A Keyword payload (searchattribute.EncodeValue), e.g. the group values of a GROUP BY count.</summary>
    public static Payload Keyword(string value) => new()
    {
        Metadata = { ["encoding"] = JsonPlain, ["type"] = ByteString.CopyFromUtf8("Keyword") },
        Data = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(value)),
    };

    /// <summary>The payload's data as text, for error messages.</summary>
    public static string Describe(Payload payload) => Encoding.UTF8.GetString(payload.Data.Span);

    /// <summary>Reads a query literal (already unquoted) as a value of the attribute's type; null when it does not fit.</summary>
    public static object? FromLiteral(object literal, IndexedValueType type) => (type, literal) switch
    {
        (IndexedValueType.Keyword or IndexedValueType.Text or IndexedValueType.KeywordList, string s) => s,
        (IndexedValueType.Int, long l) => l,
        (IndexedValueType.Int, string s) when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        (IndexedValueType.Double, long l) => (double)l,
        (IndexedValueType.Double, double d) => d,
        (IndexedValueType.Double, string s) when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        (IndexedValueType.Bool, bool b) => b,
        (IndexedValueType.Bool, string s) when bool.TryParse(s, out var b) => b,
        (IndexedValueType.Datetime, string s) => ParseTime(s),
        (IndexedValueType.Datetime, long nanos) => DateTime.UnixEpoch.AddTicks(nanos / 100),
        _ => null,
    };

    public static DateTime? ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.UtcDateTime
            : null;

    private static object? FromJson(JsonElement element, IndexedValueType type) => (type, element.ValueKind) switch
    {
        (IndexedValueType.Keyword or IndexedValueType.Text, JsonValueKind.String) => element.GetString(),
        (IndexedValueType.Int, JsonValueKind.Number) when element.TryGetInt64(out var l) => l,
        (IndexedValueType.Int, JsonValueKind.String) when long.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        (IndexedValueType.Double, JsonValueKind.Number) => element.GetDouble(),
        (IndexedValueType.Bool, JsonValueKind.True or JsonValueKind.False) => element.GetBoolean(),
        (IndexedValueType.Datetime, JsonValueKind.String) => ParseTime(element.GetString()!),
        (IndexedValueType.KeywordList, JsonValueKind.String) => new[] { element.GetString()! },
        (IndexedValueType.KeywordList, JsonValueKind.Array) when element.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            element.EnumerateArray().Select(e => e.GetString()!).ToArray(),
        _ => null,
    };
}
