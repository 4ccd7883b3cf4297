using LeadFlow.Ingress.Redrive;
using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Status;
using LeadFlow.Temporal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress;

public static class IngressServiceCollectionExtensions
{
    /// <summary>
    /// The shared start logic of every ingress host and its Temporal client (sections <c>Temporal</c> and
    /// <c>LeadEvents</c>, validated at start-up). A <see cref="TemporalClientSource"/> registered earlier wins (tests).
    /// </summary>
    public static IServiceCollection AddLeadIngress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLeadFlowTemporal(configuration);
        services.AddLeadEventOptions(configuration);
        services.TryAddSingleton(sp => new TemporalClientSource(sp.GetRequiredService<IOptions<TemporalOptions>>().Value, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<LeadWorkflowStarter>();
        services.TryAddSingleton<LeadStatusReader>();
        services.TryAddSingleton<LeadRedriver>();
        return services;
    }
}
