using LeadFlow.Steps.Crm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Refit;

namespace Microsoft.Extensions.DependencyInjection;

public static class CrmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ICrmApi"/> from the <c>Crm</c> section (<c>Crm__BaseUrl</c>, <c>Crm__ApiKey</c>, <c>Crm__Timeout</c>),
    /// validated at start-up, the timeout against the steps' timeouts too (<see cref="CrmTimeouts"/>). HTTP timeouts only: there is deliberately no retry handler, since
    /// retries belong to the orchestrator, and two retry layers multiply into a storm.
    /// </summary>
    public static IServiceCollection AddCrmApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CrmOptions>()
            .Bind(configuration.GetSection(CrmOptions.Section))
            .Validate(o => o.BaseUrl is { IsAbsoluteUri: true } url && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps),
                "Crm__BaseUrl must be an absolute http(s) address of the CRM backend, e.g. http://localhost:5080")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), "Crm__ApiKey is required: the CRM backend's API key (sent as header x-api-key)")
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromMinutes(10), "Crm__Timeout must be between 00:00:00.001 and 00:10:00, e.g. 00:00:10")
            .ValidateOnStart();
        // Cross-checked with the step timeouts it lives inside, with one message per step it does not fit.
        services.AddSingleton<IValidateOptions<CrmOptions>, CrmTimeoutValidator>();

        services.AddTransient<CrmApiKeyHandler>();
        var settings = new RefitSettings
        {
            ExceptionFactory = CrmErrorMapping.FromResponseAsync,
            TransportExceptionFactory = CrmErrorMapping.FromTransportFailure,
        };
        services.AddRefitGeneratedClient<ICrmApi>(CrmJsonContext.Default, _ => settings)
            .ConfigureHttpClient((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptions<CrmOptions>>().Value;
                client.BaseAddress = options.BaseUrl;
                client.Timeout = options.Timeout;
            })
            .AddHttpMessageHandler<CrmApiKeyHandler>();
        return services;
    }
}

/// <summary>Refuses a <c>Crm__Timeout</c> that does not fit the step timeouts (<see cref="CrmTimeouts"/>).</summary>
internal sealed class CrmTimeoutValidator : IValidateOptions<CrmOptions>
{
    public ValidateOptionsResult Validate(string? name, CrmOptions options) =>
        options.Timeout > TimeSpan.Zero && CrmTimeouts.Problems(options.Timeout) is { Count: > 0 } problems
            ? ValidateOptionsResult.Fail(problems)
            : ValidateOptionsResult.Success;
}
