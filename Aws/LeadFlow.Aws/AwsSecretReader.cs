using System.Text;
using System.Text.Json;

namespace LeadFlow.Aws;

/// <summary>Reads one secret value from the AWS secret stores by ARN.</summary>
public interface ISecretReader
{
    /// <param name="arn">
    /// A Secrets Manager secret ARN (<c>arn:aws:secretsmanager:&lt;region&gt;:&lt;account&gt;:secret:&lt;name&gt;</c>), optionally
    /// followed by <c>#&lt;json key&gt;</c> to take one property of a JSON secret; or an SSM parameter ARN
    /// (<c>arn:aws:ssm:&lt;region&gt;:&lt;account&gt;:parameter/&lt;name&gt;</c>, SecureString decrypted).
    /// </param>
    /// <returns>The secret's text.</returns>
    /// <exception cref="AwsRequestException">The store refused or could not be reached.</exception>
    /// <exception cref="ArgumentException">Not such an ARN, or the JSON key is missing.</exception>
    Task<string> ReadAsync(string arn, CancellationToken cancellationToken = default);
}

/// <summary>
/// Secrets Manager <c>GetSecretValue</c> and SSM <c>GetParameter</c> (<c>WithDecryption</c>) through the signed
/// <see cref="IAwsJsonClient"/>, in the region the ARN names. Secret values are never logged or put in exceptions.
/// </summary>
public sealed class AwsSecretReader(IAwsJsonClient aws, Func<string, string, Uri>? endpointOf = null) : ISecretReader
{
    private readonly Func<string, string, Uri> _endpointOf = endpointOf ?? ((service, region) => new Uri($"https://{service}.{region}.amazonaws.com/"));

    /// <inheritdoc/>
    public async Task<string> ReadAsync(string arn, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(arn);
        var (reference, jsonKey) = arn.Split('#', 2) is [var head, var key] ? (head, key) : (arn, null);
        var parts = reference.Split(':', 6);
        if (parts is not ["arn", _, var service and ("secretsmanager" or "ssm"), var region, _, _] || region.Length == 0)
        {
            throw new ArgumentException($"'{reference}' is not a Secrets Manager secret ARN or an SSM parameter ARN", nameof(arn));
        }

        string value;
        if (service == "secretsmanager")
        {
            using var answer = await aws.SendAsync(
                new AwsJsonRequest(_endpointOf(service, region), service, region, "secretsmanager.GetSecretValue", "1.1", Body(new { SecretId = reference })),
                cancellationToken).ConfigureAwait(false);
            value = answer.RootElement.TryGetProperty("SecretString", out var text) && text.ValueKind == JsonValueKind.String
                ? text.GetString()!
                : throw new ArgumentException($"The secret {reference} has no SecretString (binary secrets are not supported)", nameof(arn));
        }
        else
        {
            // GetParameter takes the name, or the ARN for a parameter shared across accounts; the ARN works in both cases.
            using var answer = await aws.SendAsync(
                new AwsJsonRequest(_endpointOf(service, region), service, region, "AmazonSSM.GetParameter", "1.1", Body(new { Name = reference, WithDecryption = true })),
                cancellationToken).ConfigureAwait(false);
            value = answer.RootElement.TryGetProperty("Parameter", out var parameter) && parameter.TryGetProperty("Value", out var text) && text.ValueKind == JsonValueKind.String
                ? text.GetString()!
                : throw new ArgumentException($"The parameter {reference} has no value", nameof(arn));
        }

        return jsonKey is null ? value : JsonKey(value, jsonKey, reference);
    }

    private static string JsonKey(string secret, string key, string reference)
    {
        try
        {
            using var json = JsonDocument.Parse(secret);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new ArgumentException($"The secret {reference} has no string property '{key}'", nameof(key));
        }
        catch (JsonException)
        {
            // The secret's text is not echoed: it is the secret.
            throw new ArgumentException($"The secret {reference} is not a JSON object, so '#{key}' cannot be read from it", nameof(key));
        }
    }

    private static byte[] Body(object request) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request));
}
