using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace LeadFlow.EmbeddedTemporal.Http;

/// <summary>
/// Protobuf JSON as the real server's HTTP API writes it (protojson: lowerCamelCase names, int64 as strings,
/// enums by full name, bytes and payload data in base64), and the HTTP request mapping of grpc-gateway:
/// the body, path variables and query parameters (by proto or JSON name, dotted for nested fields) fill
/// the request message. Unknown query parameters are ignored, as grpc-gateway ignores them.
/// </summary>
internal static class ProtoJson
{
    private static readonly TypeRegistry Registry = TypeRegistry.FromFiles(
        Temporalio.Api.ErrorDetails.V1.MessageReflection.Descriptor,
        Temporalio.Api.Failure.V1.MessageReflection.Descriptor,
        Temporalio.Api.Common.V1.MessageReflection.Descriptor);

    public static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(Registry));

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true).WithTypeRegistry(Registry));

    /// <summary>Builds the request message; a malformed value is an <see cref="InvalidProtocolBufferException"/> or <see cref="FormatException"/>.</summary>
    public static IMessage ReadRequest(
        MessageDescriptor descriptor,
        string body,
        string bodyField,
        IReadOnlyDictionary<string, string> pathVariables,
        IEnumerable<KeyValuePair<string, string[]>> query)
    {
        var root = new JsonObject();
        if (body.Trim().Length > 0 && bodyField.Length > 0)
        {
            var parsed = JsonNode.Parse(body) ?? new JsonObject();
            if (bodyField == "*")
            {
                root = parsed as JsonObject ?? throw new FormatException("The request body must be a JSON object.");
            }
            else
            {
                root[bodyField] = parsed;
            }
        }

        foreach (var (path, value) in pathVariables)
        {
            Set(root, descriptor, path, [value], overwrite: true);
        }

        if (bodyField != "*")
        {
            foreach (var (path, values) in query)
            {
                Set(root, descriptor, path, values, overwrite: false);
            }
        }

        return Parser.Parse(root.ToJsonString(), descriptor);
    }

    private static void Set(JsonObject root, MessageDescriptor descriptor, string path, string[] values, bool overwrite)
    {
        var parts = path.Split('.');
        var node = root;
        var message = descriptor;
        for (var i = 0; i < parts.Length; i++)
        {
            var field = message.FindFieldByName(parts[i]) ?? message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == parts[i]);
            if (field is null)
            {
                return;
            }

            if (i < parts.Length - 1)
            {
                if (field.FieldType != FieldType.Message || field.IsRepeated)
                {
                    return;
                }

                if (node[field.JsonName] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[field.JsonName] = child;
                }

                node = child;
                message = field.MessageType;
                continue;
            }

            if (!overwrite && node.ContainsKey(field.JsonName))
            {
                return;
            }

            node[field.JsonName] = field.IsRepeated
                ? new JsonArray(values.Select(v => Value(field, v)).ToArray())
                : Value(field, values[^1]);
        }
    }

    private static JsonNode? Value(FieldDescriptor field, string text) => field.FieldType switch
    {
        FieldType.Bool => JsonValue.Create(text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase)),
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => JsonValue.Create(int.Parse(text, CultureInfo.InvariantCulture)),
        FieldType.UInt32 or FieldType.Fixed32 => JsonValue.Create(uint.Parse(text, CultureInfo.InvariantCulture)),
        FieldType.Double or FieldType.Float => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
        FieldType.Enum when int.TryParse(text, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        FieldType.Bytes => JsonValue.Create(StandardBase64(text)),
        _ => JsonValue.Create(text),
    };

    /// <summary>Page tokens come back as the browser got them; URL-safe or unpadded base64 is accepted too.</summary>
    private static string StandardBase64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        return standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
    }

    /// <summary><c>{"code","message","details"}</c>: the google.rpc.Status of a failed call, details as typed JSON.</summary>
    public static string Error(int code, string message, IEnumerable<Any> details)
    {
        var status = new Temporalio.Api.Common.V1.GrpcStatus { Code = code, Message = message };
        status.Details.AddRange(details);
        var json = JsonNode.Parse(Formatter.Format(status))!.AsObject();
        json["code"] = code;
        json["message"] ??= message;
        json["details"] ??= new JsonArray();
        return json.ToJsonString();
    }
}
