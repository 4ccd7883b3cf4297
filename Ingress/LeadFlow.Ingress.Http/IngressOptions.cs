using System.Net;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Http;

/// <summary>The HTTP intake (section <c>Ingress</c>).</summary>
public sealed class IngressOptions
{
    public const string Section = "Ingress";

    /// <summary>
    /// <c>Ingress__ApiKey</c>: the machine routes (<c>POST /events</c>, <c>GET /leads/{id}</c>) need it in <c>x-api-key</c>.
    /// Required whenever the intake listens on anything but loopback (start-up refuses otherwise); the web form never
    /// needs it (its own routes, same-origin and anti-forgery checked).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary><c>Ingress__FormPermitsPerMinute</c>: lead posts one client (IP address) may make on the web form's route per minute; more get 429 with <c>Retry-After</c>.</summary>
    public int FormPermitsPerMinute { get; set; } = 60;
}

/// <summary>
/// Refuses an intake that would take anyone's events: listening on a non-loopback address without <c>Ingress__ApiKey</c>.
/// The addresses are read from the same settings Kestrel binds (<c>--urls</c>/<c>ASPNETCORE_URLS</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c>, <c>Kestrel__Endpoints__*__Url</c>) before it binds them.
/// </summary>
public sealed class IngressOptionsValidator(IConfiguration configuration) : IValidateOptions<IngressOptions>
{
    /// <summary>The shortest key accepted on an exposed intake: 128 bits as hex.</summary>
    public const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, IngressOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var exposed = ExposedAddresses(configuration);
        if (exposed.Count > 0 && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add($"Ingress__ApiKey is required when the intake listens on anything but loopback ({string.Join(", ", exposed)}): set a secret of at least {MinimumKeyLength} characters (e.g. openssl rand -hex 16), or listen on 127.0.0.1 only.");
        }
        else if (exposed.Count > 0 && options.ApiKey!.Length < MinimumKeyLength)
        {
            failures.Add($"Ingress__ApiKey must be at least {MinimumKeyLength} characters when the intake listens on {string.Join(", ", exposed)}.");
        }

        if (options.FormPermitsPerMinute is < 1 or > 10_000)
        {
            failures.Add("Ingress__FormPermitsPerMinute must be between 1 and 10000 (default 60).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The configured listen addresses that are not loopback (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, a host name, a LAN address).</summary>
    public static IReadOnlyList<string> ExposedAddresses(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = (configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        var exposed = urls.Where(url => !IsLoopback(url)).ToList();
        // ASPNETCORE_HTTP_PORTS / HTTPS_PORTS bind every interface (the .NET container images set HTTP_PORTS=8080); they apply when no URL is set.
        if (urls.Count == 0)
        {
            foreach (var key in new[] { "http_ports", "https_ports" })
            {
                exposed.AddRange((configuration[key] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"*:{port}"));
            }
        }

        return exposed;
    }

    private static bool IsLoopback(string url)
    {
        var host = url.Split("://", 2) is [_, var rest] ? rest : url;
        host = host.Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
