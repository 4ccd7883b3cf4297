using LeadFlow.Hosting.Web;
using LeadFlow.Temporal.Encryption;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Codec;

/// <summary>
/// The codec server's web host: <see cref="CodecEndpoints"/> with CORS for the configured Web UI origins only, and a
/// liveness probe. Keys from <c>LeadFlow__Encryption__*</c> (required), callers from <c>Codec__*</c>; both validated
/// before it listens, with messages naming the variable.
/// </summary>
public static class CodecServerApp
{
    /// <summary>Where it listens when neither <c>ASPNETCORE_URLS</c> nor <c>--urls</c> says otherwise.</summary>
    public const string DefaultUrl = "http://localhost:5091";

    /// <param name="configure">Runs before the codec's services are added: tests and the CLI add configuration and URLs here.</param>
    /// <exception cref="OptionsValidationException">A setting is wrong or missing; the message names the variable.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        configure?.Invoke(builder);
        // The request log line carries the URL, and a sign-in link's URL carries its one-time code: keep it out of logs.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        var configuration = builder.Configuration;
        var options = configuration.GetSection(CodecServerOptions.Section).Get<CodecServerOptions>() ?? new CodecServerOptions();
        if (options.Namespaces.Count == 0)
        {
            options.Namespaces.Add(configuration["Temporal:Namespace"] is { Length: > 0 } @namespace ? @namespace : "default");
        }

        var problems = options.Problems().ToList();
        var encryption = PayloadEncryptionOptions.Bind(configuration);
        problems.AddRange(encryption.Problems());
        if (!encryption.IsConfigured)
        {
            problems.Add("LeadFlow__Encryption__ActiveKeyId and LeadFlow__Encryption__Keys__<id> (or LeadFlow__Encryption__KeyFile) must be set: the codec server has no key to decrypt with");
        }

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(CodecServerOptions.Section, typeof(CodecServerOptions), problems);
        }

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(new AesGcmPayloadCodec(EncryptionKeyRing.From(encryption)!));
        builder.Services.AddSingleton<CodecCallers>();
        builder.Services.AddLeadFlowWebTelemetry(builder.Configuration, "leadflow-codec-server");
        builder.Services.AddProblemDetails();
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins([.. options.AllowedOrigins])
            .WithMethods("POST")
            // What the Temporal Web UI sends: X-Namespace always, Authorization (and its extras) when it passes a token.
            .WithHeaders("content-type", "x-namespace", "authorization", "authorization-extras", "x-api-key")
            // Cookies of a sign-in session (the UI's codec.includeCredentials).
            .AllowCredentials()
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.MapGet("/health/live", () => TypedResults.Ok("live")).WithTags("Health");
        app.MapPayloadCodec();
        return app;
    }
}
