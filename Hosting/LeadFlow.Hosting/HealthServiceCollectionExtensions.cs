using LeadFlow.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// The host's health endpoint (<see cref="HealthListener"/>, on <c>Health__Url</c>, validated at start-up; none when
    /// unset) and its checks: one per <see cref="ComponentHealth"/> the host passes, each read from the loop that sets it.
    /// Calling it again adds more checks and one listener in all.
    /// </summary>
    public static IHealthChecksBuilder AddLeadFlowHealth(this IServiceCollection services, IConfiguration configuration, params ComponentHealth[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        services.AddOptions<HealthOptions>()
            .Bind(configuration.GetSection(HealthOptions.Section))
            .Validate(o => o.Problems().Count == 0, "Health__Url must be http://<host>:<port>/ (host + for every address), e.g. http://+:8080/")
            .ValidateOnStart();
        var builder = services.AddHealthChecks();
        foreach (var part in parts)
        {
            builder.Add(new HealthCheckRegistration(part.Name, part, HealthStatus.Unhealthy, tags: null));
        }

        // Once per host however often this is called (AddHostedService adds a type once); idle when Health__Url is unset.
        services.AddHostedService<HealthListener>();
        return builder;
    }
}
