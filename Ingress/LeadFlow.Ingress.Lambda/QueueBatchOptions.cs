using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Lambda;

/// <summary>
/// Settings of the ingress Lambda's SQS batches (section <c>Ingress:Queue</c>, variables <c>Ingress__Queue__*</c>): where
/// poison messages go and how long a message waits between two tries while the orchestrator is unavailable.
/// </summary>
public sealed class QueueBatchOptions
{
    public const string Section = "Ingress:Queue";

    /// <summary>The longest visibility timeout SQS allows for one receive (12 hours), in seconds.</summary>
    public const int MaxVisibilitySeconds = 43_200;

    /// <summary><c>Ingress__Queue__PoisonQueueUrl</c>: where messages that can never start a lead go; unset: they are reported failed and end in the DLQ.</summary>
    public string? PoisonQueueUrl { get; set; }

    /// <summary><c>Ingress__Queue__ServiceUrl</c>: SQS endpoint override (a VPC endpoint, an emulator); default <c>https://sqs.&lt;region&gt;.amazonaws.com/</c>.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary><c>Ingress__Queue__Region</c>: the signing region; default <c>AWS_REGION</c> (set by Lambda), else <c>us-east-1</c>.</summary>
    public string? Region { get; set; }

    /// <summary><c>Ingress__Queue__RetryBaseDelaySeconds</c>: the wait after the first receive that met the orchestrator unavailable (doubled per receive).</summary>
    public int RetryBaseDelaySeconds { get; set; } = 60;

    /// <summary><c>Ingress__Queue__RetryMaxDelaySeconds</c>: the longest wait between two receives, and so the longest a lead waits once the orchestrator is back.</summary>
    public int RetryMaxDelaySeconds { get; set; } = 3_600;

    /// <summary>The SQS endpoint the calls go to.</summary>
    public Uri Endpoint => ServiceUrl ?? Aws.SqsHttpClient.EndpointFor(SigningRegion);

    /// <summary><see cref="Region"/>, or <c>us-east-1</c>.</summary>
    public string SigningRegion => string.IsNullOrWhiteSpace(Region) ? "us-east-1" : Region;

    /// <summary>
    /// How long a message is left invisible after its <paramref name="receiveCount"/>-th receive met the orchestrator
    /// unavailable: <see cref="RetryBaseDelaySeconds"/> doubled per earlier receive, at most <see cref="RetryMaxDelaySeconds"/>.
    /// </summary>
    public int VisibilityAfter(int receiveCount)
    {
        var doublings = Math.Clamp(receiveCount - 1, 0, 30);
        return (int)Math.Min(RetryMaxDelaySeconds, (long)RetryBaseDelaySeconds << doublings);
    }

    /// <summary>
    /// The outage a message survives before the queue dead-letters it: the sum of the waits after each of its
    /// <paramref name="maxReceiveCount"/> receives (the queue's redrive policy).
    /// </summary>
    public TimeSpan OutageBudget(int maxReceiveCount) =>
        TimeSpan.FromSeconds(Enumerable.Range(1, maxReceiveCount).Sum(n => (long)VisibilityAfter(n)));

    /// <summary>Binds the section and checks it; the message names the variable and the rule.</summary>
    /// <exception cref="OptionsValidationException">A setting is out of range.</exception>
    public static QueueBatchOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<QueueBatchOptions>() ?? new QueueBatchOptions();
        options.Region ??= configuration["AWS_REGION"];
        var problems = new List<string>();
        if (options.RetryBaseDelaySeconds is < 1 or > MaxVisibilitySeconds)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Ingress__Queue__RetryBaseDelaySeconds must be 1 to {MaxVisibilitySeconds} (is {options.RetryBaseDelaySeconds})"));
        }

        if (options.RetryMaxDelaySeconds < options.RetryBaseDelaySeconds || options.RetryMaxDelaySeconds > MaxVisibilitySeconds)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Ingress__Queue__RetryMaxDelaySeconds must be from Ingress__Queue__RetryBaseDelaySeconds to {MaxVisibilitySeconds}, SQS's longest visibility timeout (is {options.RetryMaxDelaySeconds})"));
        }

        return problems.Count == 0 ? options : throw new OptionsValidationException(Section, typeof(QueueBatchOptions), problems);
    }
}
