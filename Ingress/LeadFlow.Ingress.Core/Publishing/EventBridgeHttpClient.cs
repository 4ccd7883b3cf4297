using System.Text.Json;
using System.Text.Json.Serialization;
using LeadFlow.Aws;

namespace LeadFlow.Ingress.Publishing;

/// <summary>
/// EventBridge PutEvents over plain HTTP: the JSON 1.1 protocol (<c>X-Amz-Target: AWSEvents.PutEvents</c>),
/// signed with Signature Version 4 by the shared <see cref="AwsJsonClient"/>.
/// </summary>
public sealed class EventBridgeHttpClient(IAwsJsonClient aws, PublisherOptions options) : IEventBusClient
{
    public const string Target = "AWSEvents.PutEvents";
    public const string ContentType = "application/x-amz-json-1.1";
    public const string SigningService = "events";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The publisher's client: plain HTTP, the given credentials.</summary>
    public EventBridgeHttpClient(HttpClient http, PublisherOptions options, AwsCredentials credentials, TimeProvider? clock = null)
        : this(new AwsJsonClient(http, credentials, clock), options)
    {
    }

    public async Task<IReadOnlyList<EventBusEntryResult>> PutEventsAsync(IReadOnlyList<EventBusEntry> entries, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new PutEventsRequest(entries.Select(e => new PutEventsRequestEntry(e.Source, e.DetailType, e.Detail, e.EventBusName)).ToList()), Json);
        JsonDocument answerDocument;
        try
        {
            answerDocument = await aws.SendAsync(new AwsJsonRequest(options.Endpoint, SigningService, options.Region, Target, "1.1", body), cancellationToken);
        }
        catch (AwsRequestException e)
        {
            throw new EventBusRequestException(e.ErrorCode, e.Reason, e.Retryable, e.StatusCode, e);
        }

        using (answerDocument)
        {
            var answer = answerDocument.RootElement.Deserialize<PutEventsResponse>(Json)
                ?? throw new EventBusRequestException("InvalidResponse", "PutEvents answered null", retryable: true, 200);
            if (answer.Entries is null || answer.Entries.Count != entries.Count)
            {
                throw new EventBusRequestException("InvalidResponse", $"PutEvents answered {answer.Entries?.Count ?? 0} entries for {entries.Count}", retryable: true, 200);
            }

            return answer.Entries.Select(e => new EventBusEntryResult(e.EventId, e.ErrorCode, e.ErrorMessage)).ToList();
        }
    }

    private sealed record PutEventsRequest(List<PutEventsRequestEntry> Entries);

    private sealed record PutEventsRequestEntry(string Source, string DetailType, string Detail, string EventBusName);

    private sealed record PutEventsResponse(int FailedEntryCount, List<PutEventsResultEntry>? Entries);

    private sealed record PutEventsResultEntry(string? EventId, string? ErrorCode, string? ErrorMessage);
}
