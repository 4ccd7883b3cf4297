using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeadFlow.Ingress.Publishing;

/// <summary>A lead that reached the bus.</summary>
public sealed record PublishedLead(int Index, string EventId);

/// <summary>A lead that did not, after <paramref name="Attempts"/> tries.</summary>
public sealed record FailedLead(int Index, string ErrorCode, string ErrorMessage, int Attempts);

/// <summary>The final account of a publish: every lead is in exactly one list.</summary>
public sealed record PublishReport(IReadOnlyList<PublishedLead> Published, IReadOnlyList<FailedLead> Failed, int Requests);

/// <summary>
/// Sends leads as bus events: batches of up to 10 entries and 256 KB (PutEvents' limits), and
/// retries only the entries that failed with a retryable error, with exponential backoff.
/// </summary>
public sealed class LeadEventPublisher(IEventBusClient bus, PublisherOptions options, ILogger<LeadEventPublisher>? logger = null)
{
    public const int MaxEntriesPerRequest = 10;
    public const int MaxRequestBytes = 256 * 1024;

    // Caller mistakes: sending them again gives the same answer.
    private static readonly HashSet<string> PermanentErrors = new(StringComparer.Ordinal)
    {
        "MalformedDetail", "InvalidArgument", "ValidationException", "AccessDeniedException",
        "NotAuthorizedForSourceException", "NotAuthorizedForDetailTypeException", "ResourceNotFoundException",
    };

    private readonly ILogger _logger = logger ?? NullLogger<LeadEventPublisher>.Instance;

    /// <param name="leadDetails">Each lead as JSON text; it becomes an event's <c>detail</c>.</param>
    public async Task<PublishReport> PublishAsync(IReadOnlyList<string> leadDetails, CancellationToken cancellationToken = default)
    {
        var published = new List<PublishedLead>();
        var failed = new List<FailedLead>();
        var pending = new List<Pending>();
        for (var i = 0; i < leadDetails.Count; i++)
        {
            var entry = new EventBusEntry(options.Source, options.DetailType, leadDetails[i], options.EventBusName);
            var problem = CheckEntry(entry);
            if (problem is null)
            {
                pending.Add(new Pending(i, entry, Size(entry)));
            }
            else
            {
                failed.Add(new FailedLead(i, "MalformedDetail", problem, 0));
            }
        }

        var requests = 0;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var retry = new List<(Pending Entry, string Code, string Message)>();
            foreach (var batch in Batches(pending))
            {
                requests++;
                await SendBatchAsync(batch, published, retry, failed, attempt, cancellationToken);
            }

            if (retry.Count == 0)
            {
                break;
            }

            if (attempt >= options.MaxAttempts)
            {
                failed.AddRange(retry.Select(r => new FailedLead(r.Entry.Index, r.Code, r.Message, attempt)));
                break;
            }

            var delay = Backoff(attempt);
            _logger.LogWarning("{Count} lead(s) failed to publish ({Codes}); retrying them in {Delay} ms", retry.Count, string.Join(", ", retry.Select(r => r.Code).Distinct()), (int)delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken);
            pending = retry.Select(r => r.Entry).ToList();
        }

        return new PublishReport([.. published.OrderBy(p => p.Index)], [.. failed.OrderBy(f => f.Index)], requests);
    }

    private async Task SendBatchAsync(
        List<Pending> batch, List<PublishedLead> published, List<(Pending, string, string)> retry, List<FailedLead> failed, int attempt, CancellationToken cancellationToken)
    {
        IReadOnlyList<EventBusEntryResult> results;
        try
        {
            results = await bus.PutEventsAsync(batch.Select(p => p.Entry).ToList(), cancellationToken);
        }
        catch (EventBusRequestException e)
        {
            foreach (var entry in batch)
            {
                if (e.Retryable)
                {
                    retry.Add((entry, e.ErrorCode, e.Reason));
                }
                else
                {
                    failed.Add(new FailedLead(entry.Index, e.ErrorCode, e.Reason, attempt));
                }
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var result = results[i];
            if (result.Succeeded)
            {
                published.Add(new PublishedLead(batch[i].Index, result.EventId!));
            }
            else if (PermanentErrors.Contains(result.ErrorCode ?? ""))
            {
                failed.Add(new FailedLead(batch[i].Index, result.ErrorCode!, result.ErrorMessage ?? "", attempt));
            }
            else
            {
                retry.Add((batch[i], result.ErrorCode ?? "Unknown", result.ErrorMessage ?? ""));
            }
        }
    }

    private static IEnumerable<List<Pending>> Batches(List<Pending> entries)
    {
        var batch = new List<Pending>();
        var bytes = 0;
        foreach (var entry in entries)
        {
            if (batch.Count == MaxEntriesPerRequest || (batch.Count > 0 && bytes + entry.Size > MaxRequestBytes))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }

            batch.Add(entry);
            bytes += entry.Size;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static string? CheckEntry(EventBusEntry entry)
    {
        if (Size(entry) > MaxRequestBytes)
        {
            return $"the event is {Size(entry)} bytes, over the {MaxRequestBytes} byte EventBridge limit";
        }

        try
        {
            using var detail = JsonDocument.Parse(entry.Detail);
            return detail.RootElement.ValueKind == JsonValueKind.Object ? null : "the lead must be a JSON object";
        }
        catch (JsonException e)
        {
            return $"the lead is not valid JSON: {e.Message}";
        }
    }

    // EventBridge's entry size: the UTF-8 bytes of its text fields (the bus name counted too, to stay on the safe side).
    private static int Size(EventBusEntry entry) =>
        Encoding.UTF8.GetByteCount(entry.Source) + Encoding.UTF8.GetByteCount(entry.DetailType) + Encoding.UTF8.GetByteCount(entry.Detail) + Encoding.UTF8.GetByteCount(entry.EventBusName);

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = options.RetryBaseDelayMilliseconds * Math.Pow(2, attempt - 1);
        // Half fixed, half random: spreads retries of many publishers without ever waiting zero.
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }

    private sealed record Pending(int Index, EventBusEntry Entry, int Size);
}
