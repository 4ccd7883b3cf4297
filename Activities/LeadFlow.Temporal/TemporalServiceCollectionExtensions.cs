using LeadFlow.Temporal;
using LeadFlow.Temporal.Encryption;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class TemporalServiceCollectionExtensions
{
    /// <summary>
    /// The Temporal settings every host shares: <see cref="TemporalOptions"/> bound from <c>Temporal__*</c> (and the
    /// payload encryption keys from <c>LeadFlow__Encryption__*</c>) and validated at start-up (<see cref="TemporalOptions.Problems"/>). Connect with <see cref="TemporalConnectOptionsFactory"/>.
    /// </summary>
    public static IServiceCollection AddLeadFlowTemporal(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TemporalOptions>()
            .Bind(configuration.GetSection(TemporalOptions.Section))
            .Configure(options => options.Encryption = PayloadEncryptionOptions.Bind(configuration))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TemporalOptions>, TemporalOptionsValidator>());
        return services;
    }

    /// <summary>
    /// The lead onboarding steps (<c>AddLeadOnboardingSteps</c>: <c>Crm__*</c>, <c>LeadEvents__*</c>) and their Temporal
    /// activity wrappers, <see cref="LeadOnboardingActivities"/>, one instance per activity attempt (scoped).
    /// </summary>
    public static IServiceCollection AddLeadOnboardingActivities(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLeadOnboardingSteps(configuration);
        services.TryAddScoped<LeadOnboardingActivities>();
        return services;
    }

    private sealed class TemporalOptionsValidator : IValidateOptions<TemporalOptions>
    {
        public ValidateOptionsResult Validate(string? name, TemporalOptions options) =>
            options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
