using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeadFlow.Crm.Backend.Holds;

namespace LeadFlow.Crm.Backend.Creates;

/// <summary>
/// What a create request means, as canonical JSON: its route, the lead run it acts for, the event time and the parsed,
/// normalised command. Requests under one Idempotency-Key are compared by this, not by their bytes (issue 12): the
/// same JSON with its properties in another order, other whitespace, an optional property sent as <c>null</c>
/// instead of left out, a dotted RUT or a phone sent as a number means the same request.
/// </summary>
/// <param name="Json">The canonical JSON, stored with the first answer so a differing retry can be told which fields differ.</param>
/// <param name="Hash">SHA-256 of <paramref name="Json"/>, lower-case hex.</param>
public sealed record RequestMeaning(string Json, string Hash)
{
    private const string CommandProperty = "command";

    // The lead run and the event time say who sent the command and when its event happened. Unknown (null) on one side
    // matches any value: a worker upgraded between two attempts of one step starts sending them, and that retry is the
    // same request. Two different known values are a real difference.
    private static readonly string[] ContextProperties = ["leadId", "runId", "eventTime"];

    /// <param name="route">Method and path, e.g. <c>POST /create_client</c>.</param>
    public static RequestMeaning Of<TCommand>(string route, LeadRun run, DateTimeOffset? eventTime, TCommand command, JsonTypeInfo<TCommand> commandJson)
    {
        ArgumentNullException.ThrowIfNull(run);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("route", route);
            writer.WriteString("leadId", run.LeadId);
            writer.WriteString("runId", run.RunId);
            if (eventTime is { } time)
            {
                // One instant, one spelling: 09:00-03:00 and 12:00Z are the same event time.
                writer.WriteString("eventTime", time.ToUniversalTime());
            }
            else
            {
                writer.WriteNull("eventTime");
            }

            writer.WritePropertyName(CommandProperty);
            JsonSerializer.Serialize(writer, command, commandJson);
            writer.WriteEndObject();
        }

        return new RequestMeaning(Encoding.UTF8.GetString(buffer.WrittenSpan), Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan)));
    }

    /// <summary>
    /// The names of what differs from an <paramref name="earlier"/> meaning: <c>route</c>, <c>leadId</c>, <c>runId</c>,
    /// <c>eventTime</c>, or a command field (<c>mail</c>, <c>store</c>, ...). Never the values: they may be personal data.
    /// Empty when the two mean the same request although their JSON differs (a lead run or event time unknown on one side).
    /// </summary>
    public IReadOnlyList<string> DifferingFields(string earlier)
    {
        using var before = JsonDocument.Parse(earlier);
        using var now = JsonDocument.Parse(Json);
        var differing = new List<string>();
        Compare(before.RootElement, now.RootElement, differing, skip: CommandProperty);
        if (before.RootElement.TryGetProperty(CommandProperty, out var beforeCommand) && now.RootElement.TryGetProperty(CommandProperty, out var nowCommand))
        {
            Compare(beforeCommand, nowCommand, differing, skip: null);
        }

        return differing;
    }

    private static void Compare(JsonElement before, JsonElement now, List<string> differing, string? skip)
    {
        var names = before.EnumerateObject().Select(p => p.Name).Union(now.EnumerateObject().Select(p => p.Name)).Where(n => n != skip);
        foreach (var name in names)
        {
            var a = before.TryGetProperty(name, out var x) ? x.GetRawText() : "null";
            var b = now.TryGetProperty(name, out var y) ? y.GetRawText() : "null";
            var unknownOnOneSide = skip is not null && ContextProperties.Contains(name) && (a == "null" || b == "null");
            if (!unknownOnOneSide && !string.Equals(a, b, StringComparison.Ordinal))
            {
                differing.Add(name);
            }
        }
    }
}
