using System.Text;
using System.Text.Json;

namespace LeadFlow.Aws;

/// <summary>The two SQS calls the ingress Lambda makes on the messages of its batch. The signed HTTP client implements it.</summary>
public interface ISqsClient
{
    /// <summary>Makes a received message visible again after <paramref name="seconds"/> (0 to 43,200, from now).</summary>
    /// <exception cref="AwsRequestException">E.g. <c>ReceiptHandleIsInvalid</c>, <c>MessageNotInflight</c>, <c>AccessDenied</c>, or the endpoint unreachable.</exception>
    Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int seconds, CancellationToken cancellationToken = default);

    /// <summary>Sends <paramref name="body"/> with String message attributes; returns the new message's id.</summary>
    /// <exception cref="AwsRequestException">E.g. <c>QueueDoesNotExist</c>, <c>AccessDenied</c>, or the endpoint unreachable.</exception>
    Task<string> SendMessageAsync(string queueUrl, string body, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken = default);
}

/// <summary>
/// SQS over its JSON 1.0 protocol (<c>X-Amz-Target: AmazonSQS.ChangeMessageVisibility</c>, signing name <c>sqs</c>),
/// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html: the queue
/// is named by its URL in the body; the request goes to the regional endpoint (or an emulator's).
/// </summary>
public sealed class SqsHttpClient(IAwsJsonClient aws, Uri endpoint, string region) : ISqsClient
{
    public const string SigningService = "sqs";

    /// <summary>The public regional endpoint, <c>https://sqs.&lt;region&gt;.amazonaws.com/</c>.</summary>
    public static Uri EndpointFor(string region) => new($"https://sqs.{region}.amazonaws.com/");

    /// <summary>
    /// The URL of the queue an ARN names (<c>arn:aws:sqs:&lt;region&gt;:&lt;account&gt;:&lt;name&gt;</c>, as a Lambda SQS record's
    /// <c>eventSourceARN</c>), e.g. <c>https://sqs.sa-east-1.amazonaws.com/123456789012/leads</c>; null for anything else.
    /// </summary>
    public static string? QueueUrlFromArn(string? arn)
    {
        var parts = arn?.Split(':');
        return parts is ["arn", _, "sqs", { Length: > 0 } region, { Length: > 0 } account, { Length: > 0 } name]
            ? $"https://sqs.{region}.amazonaws.com/{account}/{name}"
            : null;
    }

    /// <inheritdoc/>
    public async Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int seconds, CancellationToken cancellationToken = default)
    {
        using var _ = await SendAsync("ChangeMessageVisibility", new Dictionary<string, object> { ["QueueUrl"] = queueUrl, ["ReceiptHandle"] = receiptHandle, ["VisibilityTimeout"] = seconds }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<string> SendMessageAsync(string queueUrl, string body, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var messageAttributes = attributes.ToDictionary(a => a.Key, a => new Dictionary<string, string> { ["DataType"] = "String", ["StringValue"] = a.Value.Length == 0 ? "-" : a.Value });
        using var answer = await SendAsync("SendMessage", new Dictionary<string, object> { ["QueueUrl"] = queueUrl, ["MessageBody"] = body, ["MessageAttributes"] = messageAttributes }, cancellationToken).ConfigureAwait(false);
        return answer.RootElement.TryGetProperty("MessageId", out var id) ? id.GetString() ?? "" : "";
    }

    private Task<JsonDocument> SendAsync(string action, Dictionary<string, object> body, CancellationToken cancellationToken) =>
        aws.SendAsync(new AwsJsonRequest(endpoint, SigningService, region, $"AmazonSQS.{action}", "1.0", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body))), cancellationToken);
}
