using LeadFlow.Hosting.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Http;

/// <summary>
/// The HTTP intake's web host: <c>POST /events</c>, <c>GET /leads/{id}</c>, the lead form with its own routes, and a
/// liveness probe. It refuses to start listening beyond loopback without <c>Ingress__ApiKey</c>.
/// </summary>
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
        builder.Services.AddLeadFlowWebTelemetry(builder.Configuration, "leadflow-intake");
        // Outcomes and steps read as words in answers ("Started", "Completed"), not numbers.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddLeadIngress(builder.Configuration);
        builder.Services.AddOptions<IngressOptions>().Bind(builder.Configuration.GetSection(IngressOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IngressOptions>, IngressOptionsValidator>();
        builder.Services.AddAntiforgery(o => o.HeaderName = IntakeGuards.AntiforgeryHeader);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectedAsync;
            limiter.AddPolicy(LeadIntakeEndpoints.FormRateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                // Per client address: behind a reverse proxy, configure forwarded headers so this is the visitor's.
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = context.RequestServices.GetRequiredService<IOptions<IngressOptions>>().Value.FormPermitsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        // Room for the static lead form (wwwroot/index.html).
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapGet("/health/live", () => TypedResults.Ok("live")).WithTags("Health");
        app.MapLeadIntake();
        return app;
    }

    /// <summary>429 as a problem, with <c>Retry-After</c> in seconds (RFC 9110 section 10.2.3) when the limiter says when.</summary>
    private static async ValueTask RejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var response = rejected.HttpContext.Response;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            $"Too many leads from this address; try again in {Math.Ceiling(wait.TotalSeconds)} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests").ExecuteAsync(rejected.HttpContext);
    }
}
