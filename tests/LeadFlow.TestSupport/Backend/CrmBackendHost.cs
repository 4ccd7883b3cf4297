using LeadFlow.Crm.Backend;
using LeadFlow.Crm.Backend.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadFlow.TestSupport;

/// <summary>
/// The real backend on real Kestrel at 127.0.0.1 (a free port), migrations applied, logs captured in
/// <see cref="Logs"/>, with a <see cref="FaultInjector"/> in front of authentication and the endpoints.
/// </summary>
public sealed class CrmBackendHost : IAsyncDisposable
{
    public const string DefaultApiKey = "test-api-key-5f1c2e";

    /// <summary>The read key every test backend has (<c>Crm:ReadApiKey</c>).</summary>
    public const string DefaultReadApiKey = "test-read-key-9a7d41";

    private readonly WebApplication app;

    private CrmBackendHost(WebApplication app, string apiKey, FaultInjector faults, LogCapture logs)
    {
        this.app = app;
        ApiKey = apiKey;
        ReadApiKey = app.Configuration["Crm:ReadApiKey"]!;
        Faults = faults;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    public Uri BaseAddress { get; }

    /// <summary>The write key (<c>Crm:ApiKey</c>), what the worker sends.</summary>
    public string ApiKey { get; }

    /// <summary>The read key (<c>Crm:ReadApiKey</c>), what people and tools send.</summary>
    public string ReadApiKey { get; }

    public FaultInjector Faults { get; }

    public LogCapture Logs { get; }

    public IServiceProvider Services => app.Services;

    public static Task<CrmBackendHost> StartAsync(string connectionString, string? apiKey = null) => StartAsync(connectionString, apiKey, configureBuilder: null);

    /// <param name="configureBuilder">Runs after the host's own settings, e.g. to change log levels or a <c>Crm:</c> option.</param>
    public static async Task<CrmBackendHost> StartAsync(string connectionString, string? apiKey, Action<WebApplicationBuilder>? configureBuilder)
    {
        apiKey ??= DefaultApiKey;
        var faults = new FaultInjector();
        var logs = new LogCapture();
        var app = CrmBackendApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration["ConnectionStrings:Crm"] = connectionString;
                builder.Configuration["Crm:ApiKey"] = apiKey;
                builder.Configuration["Crm:ReadApiKey"] = DefaultReadApiKey;
                builder.Configuration["Crm:MigrateOnStart"] = "true";
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Information);
                builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
                builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
                configureBuilder?.Invoke(builder);
            },
            pipeline =>
            {
                pipeline.Use(faults.InvokeAsync);
                pipeline.Use(faults.InvokeLeadFaultsAsync);
            });
        await app.StartAsync();
        return new CrmBackendHost(app, apiKey, faults, logs);
    }

    /// <summary>
    /// A keep-alive client for this backend holding both keys, as an operator with both would: each request carries the
    /// key its scope needs (<see cref="ApiScopes"/>), the read key for reads and lookups, the write key for the rest.
    /// </summary>
    public HttpClient CreateClient() => new(new ScopedKeyHandler(ApiKey, ReadApiKey) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = BaseAddress };

    /// <summary>A client that sends one key on every request (the worker's write key, or only the read key).</summary>
    public HttpClient CreateClient(string apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Add(ApiKeyMiddleware.HeaderName, apiKey);
        return client;
    }

    private sealed class ScopedKeyHandler(string writeKey, string readKey) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.Headers.Contains(ApiKeyMiddleware.HeaderName))
            {
                var scope = ApiScopes.Required(request.Method.Method, new Microsoft.AspNetCore.Http.PathString(request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : "/" + request.RequestUri.OriginalString.Split('?')[0].TrimStart('/')), descriptionIsOpen: false);
                request.Headers.Add(ApiKeyMiddleware.HeaderName, scope == ApiScope.Write ? writeKey : readKey);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
