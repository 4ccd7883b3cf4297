namespace LeadFlow.Aws;

/// <summary>AWS access keys. <see cref="ToString"/> hides the secret so a log line cannot leak it.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>From <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c>.</summary>
    /// <exception cref="InvalidOperationException">The key id or the secret is not set.</exception>
    public static AwsCredentials FromEnvironment()
    {
        var keyId = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var secret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(secret))
        {
            throw new InvalidOperationException("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials; AWS Lambda sets all three) to call AWS.");
        }

        var token = Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN");
        return new AwsCredentials(keyId, secret, string.IsNullOrEmpty(token) ? null : token);
    }

    /// <summary>
    /// From the same variables as they appear in a configuration built with <c>AddEnvironmentVariables()</c> (what
    /// AWS Lambda sets for the function's role), so a test can give them without touching the process environment.
    /// </summary>
    /// <exception cref="InvalidOperationException">The key id or the secret is not set.</exception>
    public static AwsCredentials From(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var keyId = configuration["AWS_ACCESS_KEY_ID"];
        var secret = configuration["AWS_SECRET_ACCESS_KEY"];
        if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(secret))
        {
            throw new InvalidOperationException("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials; AWS Lambda sets all three) to call AWS.");
        }

        var token = configuration["AWS_SESSION_TOKEN"];
        return new AwsCredentials(keyId, secret, string.IsNullOrEmpty(token) ? null : token);
    }

    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
