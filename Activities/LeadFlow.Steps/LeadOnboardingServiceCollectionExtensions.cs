using LeadFlow.Steps;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

public static class LeadOnboardingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the host-agnostic steps and <see cref="CrmServiceCollectionExtensions.AddCrmApi"/>: what a
    /// step Lambda runs, and what the Temporal activities (LeadFlow.Temporal) wrap. Settings, validated at
    /// start-up: <c>Crm__*</c>, <c>LeadEvents__*</c>, <c>NotifyBranch__Enabled</c>.
    /// </summary>
    public static IServiceCollection AddLeadOnboardingSteps(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCrmApi(configuration);
        services.AddLeadEventOptions(configuration);
        services.AddSingleton<ReceiveLeadStep>();
        services.AddScoped<CreateStepRunner>();
        services.AddScoped<RecordFailureStep>();
        services.AddOptions<NotifyBranchOptions>().Bind(configuration.GetSection(NotifyBranchOptions.Section));
        services.AddScoped<NotifyBranchStep>();
        return services;
    }

    /// <summary>Which bus events are leads: <see cref="LeadEventOptions"/> from <c>LeadEvents__Source</c> / <c>LeadEvents__DetailType</c>, validated at start-up.</summary>
    public static IServiceCollection AddLeadEventOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LeadEventOptions>()
            .Bind(configuration.GetSection(LeadEventOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Source), "LeadEvents__Source must not be empty (default crm.leads)")
            .Validate(o => !string.IsNullOrWhiteSpace(o.DetailType), "LeadEvents__DetailType must not be empty (default LeadSubmitted)")
            .ValidateOnStart();
        return services;
    }
}
