using LeadFlow.Hosting.Web;
using LeadFlow.Crm.Backend.Auth;
using LeadFlow.Crm.Backend.Benefits;
using LeadFlow.Crm.Backend.BranchNotifications;
using LeadFlow.Crm.Backend.Clients;
using LeadFlow.Crm.Backend.Compensations;
using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Creates;
using LeadFlow.Crm.Backend.Data;
using LeadFlow.Crm.Backend.Health;
using LeadFlow.Crm.Backend.Holds;
using LeadFlow.Crm.Backend.LeadDifferences;
using LeadFlow.Crm.Backend.LeadFailures;
using LeadFlow.Crm.Backend.OpenApi;
using LeadFlow.Crm.Backend.Partners;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Crm.Backend.Retention;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LeadFlow.Crm.Backend;

/// <summary>
/// The backend as a value: <c>Program</c>, the tests, the benchmarks and the <c>leadflow</c> CLI all host it
/// through <see cref="Build"/>, on real Kestrel.
/// </summary>
public static class CrmBackendApp
{
    /// <param name="configureBuilder">Runs first: add configuration, logging providers or services.</param>
    /// <param name="configurePipeline">Runs before authentication and the endpoints, e.g. a fault-injection middleware.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configureBuilder = null, Action<WebApplication>? configurePipeline = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configureBuilder?.Invoke(builder);
        LoggedPath.KeepRawPathsOutOfLogs(builder.Logging);
        builder.Services.AddLeadFlowWebTelemetry(builder.Configuration, "leadflow-crm-backend");

        builder.Services.AddOptions<CrmOptions>().BindConfiguration(CrmOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CrmOptions>, CrmOptionsValidator>();
        builder.AddCrmDatabase();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IdempotencyPurge>();
        builder.Services.AddHostedService(services => services.GetRequiredService<IdempotencyPurge>());
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        // A query value that does not parse (limit=abc) throws, so that ParameterBindingHandler can name the parameter.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ParameterBindingHandler>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, CrmJsonContext.Default));
        builder.Services.AddCrmOpenApi();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        configurePipeline?.Invoke(app);
        app.UseMiddleware<ApiKeyMiddleware>();

        app.MapHealth();
        app.MapScope();
        app.MapClients();
        app.MapPartners();
        app.MapBenefits();
        app.MapBranchNotifications();
        app.MapCompensations();
        app.MapHolds();
        app.MapLeadFailures();
        app.MapLeadDifferences();
        app.MapCrmOpenApi();
        return app;
    }
}
