using LeadFlow.Activities.Steps;
using LeadFlow.Activities.Temporal;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

public static class LeadOnboardingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the host-agnostic steps (and <see cref="CrmServiceCollectionExtensions.AddCrmApi"/>),
    /// plus their Temporal activity wrappers: what a worker or a step Lambda needs to run them.
    /// </summary>
    public static IServiceCollection AddLeadOnboardingSteps(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCrmApi(configuration);
        services.AddOptions<LeadEventOptions>()
            .Bind(configuration.GetSection(LeadEventOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Source), "LeadEvents__Source must not be empty (default crm.leads)")
            .Validate(o => !string.IsNullOrWhiteSpace(o.DetailType), "LeadEvents__DetailType must not be empty (default LeadSubmitted)")
            .ValidateOnStart();
        services.AddSingleton<ReceiveLeadStep>();
        services.AddScoped<CreateStepRunner>();
        services.AddScoped<RecordFailureStep>();
        services.AddScoped<LeadOnboardingActivities>();
        return services;
    }
}
