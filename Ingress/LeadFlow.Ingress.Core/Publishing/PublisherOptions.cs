using System.ComponentModel.DataAnnotations;

namespace LeadFlow.Ingress.Publishing;

/// <summary>The producer side: leads onto the EventBridge bus (section <c>Publisher</c>). Credentials come from the AWS environment variables, never from here.</summary>
public sealed class PublisherOptions
{
    public const string Section = "Publisher";

    /// <summary><c>Publisher__EventBusName</c>: name or ARN of the bus.</summary>
    [Required]
    public string EventBusName { get; set; } = "default";

    /// <summary><c>Publisher__Source</c>.</summary>
    [Required]
    public string Source { get; set; } = "crm.leads";

    /// <summary><c>Publisher__DetailType</c>.</summary>
    [Required]
    public string DetailType { get; set; } = "LeadSubmitted";

    /// <summary><c>Publisher__Region</c>: also the SigV4 signing region.</summary>
    [Required]
    public string Region { get; set; } = "us-east-1";

    /// <summary><c>Publisher__ServiceUrl</c>: endpoint override (tests, VPC endpoints); empty = <c>https://events.{Region}.amazonaws.com</c>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary><c>Publisher__MaxAttempts</c>: tries per entry, the first included.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary><c>Publisher__RetryBaseDelayMilliseconds</c>: first backoff; doubles per attempt, with jitter.</summary>
    [Range(0, 60_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 200;

    public Uri Endpoint => new(string.IsNullOrWhiteSpace(ServiceUrl) ? $"https://events.{Region}.amazonaws.com/" : ServiceUrl);
}
