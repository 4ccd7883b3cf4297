namespace LeadFlow.Ingress.Http;

/// <summary>The HTTP intake's web host: <c>POST /events</c>, <c>GET /leads/{id}</c>, the lead form and a liveness probe.</summary>
public static class IngressApp
{
    /// <summary>Where the intake listens when neither <c>ASPNETCORE_URLS</c> nor <c>--urls</c> says otherwise (docker compose maps 5090 too).</summary>
    public const string DefaultUrl = "http://localhost:5090";

    /// <param name="configure">Runs before the ingress services are added: tests add configuration, URLs or a ready <c>TemporalClientSource</c> here.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        configure?.Invoke(builder);
        builder.Services.AddProblemDetails();
        // Outcomes and steps read as words in answers ("Started", "Completed"), not numbers.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddLeadIngress(builder.Configuration);
        builder.Services.AddOptions<IngressOptions>().Bind(builder.Configuration.GetSection(IngressOptions.Section));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Room for the static lead form (wwwroot/index.html).
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapGet("/health/live", () => TypedResults.Ok("live")).WithTags("Health");
        app.MapLeadIntake();
        return app;
    }
}
