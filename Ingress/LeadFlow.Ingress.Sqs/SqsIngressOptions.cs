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
    public int MaxConcurrency { get; set; } = 40;

    /// <summary><c>Ingress__Sqs__WaitTimeSeconds</c>: long-poll wait of one receive.</summary>
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>
    /// <c>Ingress__Sqs__VisibilityTimeoutSeconds</c>: how long a received message stays hidden;
    /// extended while its start is slow. A message that could not be started reappears after it,
    /// so it is also the retry delay.
    /// </summary>
    public int VisibilityTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// <c>Ingress__Sqs__ReceiveErrorDelaySeconds</c>: pause after a failed receive (SQS unreachable, credentials refused),
    /// doubled while receives keep failing, up to a minute.
    /// </summary>
    public double ReceiveErrorDelaySeconds { get; set; } = 5;

    /// <summary>
    /// <c>Ingress__Sqs__PoisonQueueUrl</c>: where messages that can never start a lead go (not an EventBridge envelope, nor
    /// an SNS notification around one): sent there with the reason, then deleted from the intake queue. Empty: they stay
    /// in the intake queue until its redrive policy moves them to the dead-letter queue, mixed with transient failures.
    /// </summary>
    public string? PoisonQueueUrl { get; set; }

    /// <summary>
    /// <c>Ingress__Sqs__TemporalProbeMaxDelaySeconds</c>: while Temporal is unreachable the poller receives nothing and asks
    /// Temporal again from 1 s, doubling up to this (default 30 s).
    /// </summary>
    public double TemporalProbeMaxDelaySeconds { get; set; } = 30;

    public bool Enabled => !string.IsNullOrWhiteSpace(QueueUrl);

    /// <summary>What is wrong with these settings, one sentence per problem naming the variable; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Enabled)
        {
            problems.Add("Ingress__Sqs__QueueUrl is required: the URL of the SQS intake queue the bus rule delivers to");
        }
        else if (!Uri.TryCreate(QueueUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add("Ingress__Sqs__QueueUrl must be an absolute http(s) queue URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/lead-intake");
        }

        if (MaxConcurrency is < 1 or > 1000)
        {
            problems.Add("Ingress__Sqs__MaxConcurrency must be between 1 and 1000 (default 40)");
        }

        if (WaitTimeSeconds is < 0 or > 20)
        {
            problems.Add("Ingress__Sqs__WaitTimeSeconds must be between 0 and 20, SQS's long-poll limit (default 20)");
        }

        if (VisibilityTimeoutSeconds is < 1 or > 43200)
        {
            problems.Add("Ingress__Sqs__VisibilityTimeoutSeconds must be between 1 and 43200, SQS's limit (default 60)");
        }

        if (ReceiveErrorDelaySeconds is < 0 or > 300)
        {
            problems.Add("Ingress__Sqs__ReceiveErrorDelaySeconds must be between 0 and 300 (default 5)");
        }

        if (!string.IsNullOrWhiteSpace(PoisonQueueUrl)
            && (!Uri.TryCreate(PoisonQueueUrl, UriKind.Absolute, out var poison) || (poison.Scheme != Uri.UriSchemeHttp && poison.Scheme != Uri.UriSchemeHttps)))
        {
            problems.Add("Ingress__Sqs__PoisonQueueUrl must be an absolute http(s) queue URL (or empty)");
        }
        else if (!string.IsNullOrWhiteSpace(PoisonQueueUrl) && string.Equals(PoisonQueueUrl, QueueUrl, StringComparison.Ordinal))
        {
            problems.Add("Ingress__Sqs__PoisonQueueUrl must not be the intake queue itself");
        }

        if (TemporalProbeMaxDelaySeconds is < 0.1 or > 600)
        {
            problems.Add("Ingress__Sqs__TemporalProbeMaxDelaySeconds must be between 0.1 and 600 (default 30)");
        }

        return problems;
    }
}
