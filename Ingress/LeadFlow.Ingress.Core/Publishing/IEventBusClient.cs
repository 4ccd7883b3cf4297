namespace LeadFlow.Ingress.Publishing;

/// <summary>One PutEvents entry.</summary>
public sealed record EventBusEntry(string Source, string DetailType, string Detail, string EventBusName);

/// <summary>One entry's answer, in request order: an event id, or an error code and message.</summary>
public sealed record EventBusEntryResult(string? EventId, string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => ErrorCode is null && EventId is not null;
}

/// <summary>
/// One PutEvents call. The hand-made JSON/SigV4 client implements it today; an adapter over
/// AWSSDK.EventBridge can replace it without touching batching or retries.
/// </summary>
public interface IEventBusClient
{
    /// <exception cref="EventBusRequestException">The request as a whole failed.</exception>
    Task<IReadOnlyList<EventBusEntryResult>> PutEventsAsync(IReadOnlyList<EventBusEntry> entries, CancellationToken cancellationToken = default);
}

/// <summary>The whole PutEvents request failed (no entry was accepted).</summary>
public sealed class EventBusRequestException(string errorCode, string message, bool retryable, int? statusCode = null, Exception? inner = null)
    : Exception($"{errorCode}: {message}", inner)
{
    public string ErrorCode { get; } = errorCode;

    /// <summary>The message without the code.</summary>
    public string Reason { get; } = message;

    public bool Retryable { get; } = retryable;

    public int? StatusCode { get; } = statusCode;
}
