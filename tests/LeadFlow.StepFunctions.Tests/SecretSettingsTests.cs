using LeadFlow.Aws;
using LeadFlow.TestSupport.Aws;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>The step Lambdas read the CRM key from Secrets Manager or SSM at init (a fake of both on real Kestrel, SigV4 checked).</summary>
public sealed class SecretSettingsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StepLambdas_ReadTheCrmKey_FromTheSecretStore(bool ssm)
    {
        await using var aws = await FakeAwsServices.StartAsync();
        var arn = ssm ? aws.PutParameter("/leadflow/crm-write-key", "crm-write-key-from-ssm") : aws.PutSecret("leadflow/crm", """{"writeKey":"crm-write-key-from-secrets"}""") + "#writeKey";

        var resolved = SecretSettings.FromLambdaEnvironment(Environment(aws, new() { ["Crm:ApiKeySecretArn"] = arn }));
        using var handlers = new LeadOnboardingStepHandlers(resolved);

        Assert.Equal(ssm ? "crm-write-key-from-ssm" : "crm-write-key-from-secrets", resolved["Crm:ApiKey"]);
        Assert.Equal(0, aws.Refused);
    }

    [Fact]
    public async Task AnUnreadableSecret_FailsTheInit_NamingTheSettingAndTheArn_NeverAValue()
    {
        await using var aws = await FakeAwsServices.StartAsync();
        var missing = $"arn:aws:secretsmanager:{FakeAwsServices.Region}:123456789012:secret:leadflow/none-XyZ";

        var refused = Assert.Throws<SecretSettingException>(() => SecretSettings.FromLambdaEnvironment(Environment(aws, new() { ["Crm:ApiKeySecretArn"] = missing })));

        Assert.Contains("Crm__ApiKeySecretArn", refused.Message, StringComparison.Ordinal);
        Assert.Contains(missing, refused.Message, StringComparison.Ordinal);
        Assert.Contains("secretsmanager:GetSecretValue", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutKeyOrSecret_TheInitFails_NamingTheVariable()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => new LeadOnboardingStepHandlers(new ConfigurationBuilder().Build()));

        Assert.Contains("Crm__ApiKey", refused.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Environment(FakeAwsServices aws, Dictionary<string, string?> settings)
    {
        settings["Aws:SecretsEndpoint"] = aws.Endpoint.ToString();
        settings["AWS_ACCESS_KEY_ID"] = FakeAwsServices.AccessKeyId;
        settings["AWS_SECRET_ACCESS_KEY"] = FakeAwsServices.SecretAccessKey;
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }
}
