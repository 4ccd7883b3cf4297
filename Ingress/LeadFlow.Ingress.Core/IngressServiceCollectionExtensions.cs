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
    /// The shared start logic of every ingress host and its Temporal client (sections <c>Temporal</c>,
    /// <c>LeadEvents</c> and <c>LeadStatus</c>, validated at start-up). A <see cref="TemporalClientSource"/> registered earlier wins (tests).
    /// </summary>
    public static IServiceCollection AddLeadIngress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLeadFlowTemporal(configuration);
        services.AddLeadEventOptions(configuration);
        services.AddOptions<LeadStatusOptions>()
            .Bind(configuration.GetSection(LeadStatusOptions.Section))
            .Validate(o => o.Problems().Count == 0, "LeadStatus__* settings are out of range: LeadStatus__QueryTimeout (0 to 00:01:00), LeadStatus__WorkerSeenWithin (0 to 00:05:00)")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new TemporalClientSource(sp.GetRequiredService<IOptions<TemporalOptions>>().Value, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<LeadWorkflowStarter>();
        services.TryAddSingleton<LeadStatusReader>();
        services.TryAddSingleton<LeadRedriver>();
        return services;
    }
}
