using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Sqs;

public static class SqsServiceCollectionExtensions
{
    /// <summary>Adds the SQS poller when <c>Ingress:Sqs:QueueUrl</c> is set; otherwise only binds its options.</summary>
    public static IServiceCollection AddLeadSqsPoller(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SqsIngressOptions.Section);
        services.AddOptions<SqsIngressOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        if (!(section.Get<SqsIngressOptions>()?.Enabled ?? false))
        {
            return services;
        }

        services.TryAddSingleton<IAmazonSQS>(sp => CreateClient(sp.GetRequiredService<IOptions<SqsIngressOptions>>().Value));
        services.AddHostedService<SqsLeadPoller>();
        return services;
    }

    /// <summary>
    /// An SQS client for the options. Credentials come from the standard AWS chain (environment
    /// variables, profile, instance role); against an emulator (<c>ServiceUrl</c> set) without
    /// any configured credentials, fixed dummy ones are used since emulators do not check them.
    /// </summary>
    public static IAmazonSQS CreateClient(SqsIngressOptions options)
    {
        var config = new AmazonSQSConfig();
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
            return new AmazonSQSClient(config);
        }

        config.ServiceURL = options.ServiceUrl;
        config.AuthenticationRegion = options.Region;
        var hasEnvironmentKeys = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"));
        return hasEnvironmentKeys
            ? new AmazonSQSClient(config)
            : new AmazonSQSClient(new BasicAWSCredentials("local", "local"), config);
    }
}
