using Microsoft.Extensions.Configuration;

namespace LeadFlow.Aws;

/// <summary>
/// Settings read from the AWS secret stores at start instead of environment variables (which anyone allowed to call
/// <c>lambda:GetFunctionConfiguration</c> can read): every setting <c>X__YSecretArn</c> names where the value of
/// <c>X__Y</c> is kept, e.g. <c>Crm__ApiKeySecretArn</c> for <c>Crm__ApiKey</c>, <c>Temporal__ApiKeySecretArn</c> for
/// <c>Temporal__ApiKey</c>, <c>Temporal__Tls__ClientKeySecretArn</c> for <c>Temporal__Tls__ClientKey</c>. A value set directly
/// wins over none, a secret ARN wins over a value set directly.
/// </summary>
public static class SecretSettings
{
    /// <summary>The suffix that marks a setting as the ARN of another setting's value.</summary>
    public const string Suffix = "SecretArn";

    /// <summary>The settings that name secrets: the setting each fills, and the ARN.</summary>
    public static IReadOnlyList<(string Key, string Arn)> Referenced(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.AsEnumerable()
            .Where(setting => setting.Key.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) && setting.Key.Length > Suffix.Length && !string.IsNullOrWhiteSpace(setting.Value))
            .Select(setting => (setting.Key[..^Suffix.Length], setting.Value!))
            .ToList();
    }

    /// <summary>
    /// The configuration with every secret it references read and filled in (the secret reads run at start, once per
    /// Lambda instance). Returns <paramref name="configuration"/> itself when it references none.
    /// </summary>
    /// <exception cref="SecretSettingException">A secret could not be read; the message names the setting and the ARN, never a value.</exception>
    public static async Task<IConfiguration> ResolveAsync(IConfiguration configuration, ISecretReader secrets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var referenced = Referenced(configuration);
        if (referenced.Count == 0)
        {
            return configuration;
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, arn) in referenced)
        {
            try
            {
                values[key] = await secrets.ReadAsync(arn, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AwsRequestException or ArgumentException)
            {
                var variable = key.Replace(":", "__", StringComparison.Ordinal);
                throw new SecretSettingException($"{variable}{Suffix} ({arn}) could not be read: {e.Message}. The function's role needs secretsmanager:GetSecretValue (or ssm:GetParameter and kms:Decrypt) on it.", e);
            }
        }

        return new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(values).Build();
    }

    /// <summary>The Lambda way: the environment's settings, secrets read with the function's own credentials (<c>AWS_*</c> variables).</summary>
    /// <exception cref="SecretSettingException">A secret could not be read.</exception>
    public static IConfiguration FromLambdaEnvironment(IConfiguration environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Referenced(environment).Count == 0)
        {
            return environment;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var reader = new AwsSecretReader(new AwsJsonClient(http, AwsCredentials.From(environment)), EndpointOverride(environment));
        // Lambda's init phase is synchronous to us: the constructor waits for the reads, once per instance.
        return ResolveAsync(environment, reader).GetAwaiter().GetResult();
    }

    /// <summary><c>Aws__SecretsEndpoint</c>: one endpoint for both stores (a VPC endpoint, or a local fake in tests); unset = the public regional ones.</summary>
    public static Func<string, string, Uri>? EndpointOverride(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration["Aws:SecretsEndpoint"] is { Length: > 0 } endpoint ? (_, _) => new Uri(endpoint) : null;
    }
}

/// <summary>A setting's secret could not be read at start; the message names the setting and the ARN.</summary>
public sealed class SecretSettingException(string message, Exception inner) : Exception(message, inner);
