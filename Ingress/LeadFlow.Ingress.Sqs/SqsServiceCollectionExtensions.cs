using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using LeadFlow.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Sqs;

public static class SqsServiceCollectionExtensions
{
    /// <summary>
    /// The SQS poller host's services: the shared ingress start logic (<c>AddLeadIngress</c>: <c>Temporal__*</c>,
    /// <c>LeadEvents__*</c>), the poller on <c>Ingress__Sqs__QueueUrl</c>, which is required here: polling
    /// is this host's one job, so a missing queue stops start-up with a message naming the variable; and its health
    /// endpoint on <c>Health__Url</c> (none when unset).
    /// </summary>
    public static IServiceCollection AddLeadSqsPoller(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLeadIngress(configuration);
        services.AddOptions<SqsIngressOptions>()
            .Bind(configuration.GetSection(SqsIngressOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqsIngressOptions>, SqsIngressOptionsValidator>());
        services.TryAddSingleton<IAmazonSQS>(sp => CreateClient(sp.GetRequiredService<IOptions<SqsIngressOptions>>().Value));

        // Health__Url (none by default): GET /health/ready says whether Temporal answers and receiving works.
        var health = new SqsPollerHealth();
        services.AddSingleton(health);
        services.AddLeadFlowHealth(configuration, health.Temporal, health.Sqs);

        // OTEL_EXPORTER_OTLP_ENDPOINT (none by default): traces, metrics and logs over OTLP; before the service, so its first spans are kept.
        services.AddLeadFlowTelemetry(configuration, "leadflow-ingress-sqs");
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

    private sealed class SqsIngressOptionsValidator : IValidateOptions<SqsIngressOptions>
    {
        public ValidateOptionsResult Validate(string? name, SqsIngressOptions options) =>
            options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
