using LeadFlow.Ingress.Http;
using LeadFlow.Ingress.Starting;
using LeadFlow.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Ingress.Tests.Support;

/// <summary>The real ingress app (<see cref="IngressApp.Build"/>) on Kestrel, loopback, a free port.</summary>
public sealed class IngressHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private IngressHost(WebApplication app, Uri baseAddress, LogCapture logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        Logs = logs;
    }

    public Uri BaseAddress { get; }

    public LogCapture Logs { get; }

    public static async Task<IngressHost> StartAsync(TemporalClientSource temporal, IDictionary<string, string?>? settings = null)
    {
        var logs = new LogCapture();
        var app = IngressApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
                builder.Services.AddSingleton(temporal);
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
            });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new IngressHost(app, new Uri(address.TrimEnd('/') + "/"), logs);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
