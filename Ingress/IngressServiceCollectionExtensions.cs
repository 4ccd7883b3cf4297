using LeadFlow.Activities.Steps;
using LeadFlow.Activities.Temporal;
using LeadFlow.Ingress.Http;
using LeadFlow.Ingress.Redrive;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Status;
using LeadFlow.Ingress.Temporal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress;

public static class IngressServiceCollectionExtensions
{
    /// <summary>
    /// The shared start logic and its Temporal client (sections <c>Temporal</c>, <c>Ingress</c>,
    /// <c>LeadEvents</c>). A <see cref="TemporalClientSource"/> registered earlier wins (tests).
    /// </summary>
    public static IServiceCollection AddLeadIngress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TemporalOptions>().Bind(configuration.GetSection(TemporalOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IngressOptions>().Bind(configuration.GetSection(IngressOptions.Section));
        services.AddOptions<LeadEventOptions>().Bind(configuration.GetSection(LeadEventOptions.Section));
        services.TryAddSingleton(sp => new TemporalClientSource(sp.GetRequiredService<IOptions<TemporalOptions>>().Value, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<LeadWorkflowStarter>();
        services.TryAddSingleton<LeadStatusReader>();
        services.TryAddSingleton<LeadRedriver>();
        return services;
    }
}
