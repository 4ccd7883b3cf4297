using System.ComponentModel.DataAnnotations;

namespace LeadFlow.Ingress.Sqs;

/// <summary>The on-prem pull path: bus rule -> SQS queue -> this poller (section <c>Ingress:Sqs</c>).</summary>
public sealed class SqsIngressOptions
{
    public const string Section = "Ingress:Sqs";

    /// <summary><c>Ingress__Sqs__QueueUrl</c>: the queue the bus rule delivers to; empty = the poller does not run.</summary>
    public string? QueueUrl { get; set; }

    /// <summary><c>Ingress__Sqs__ServiceUrl</c>: SQS endpoint override (emulators such as fauxqs); empty = AWS.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary><c>Ingress__Sqs__Region</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary><c>Ingress__Sqs__MaxConcurrency</c>: workflow starts in flight at once (one receive loop per 10).</summary>
    [Range(1, 1000)]
    public int MaxConcurrency { get; set; } = 40;

    /// <summary><c>Ingress__Sqs__WaitTimeSeconds</c>: long-poll wait of one receive.</summary>
    [Range(0, 20)]
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>
    /// <c>Ingress__Sqs__VisibilityTimeoutSeconds</c>: how long a received message stays hidden;
    /// extended while its start is slow. A message that could not be started reappears after it,
    /// so it is also the retry delay.
    /// </summary>
    [Range(1, 43200)]
    public int VisibilityTimeoutSeconds { get; set; } = 60;

    /// <summary><c>Ingress__Sqs__ReceiveErrorDelaySeconds</c>: pause after a failed receive (SQS unreachable).</summary>
    [Range(0, 300)]
    public double ReceiveErrorDelaySeconds { get; set; } = 5;

    public bool Enabled => !string.IsNullOrWhiteSpace(QueueUrl);
}
