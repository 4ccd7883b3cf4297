using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Problems;
using LeadFlow.Hosting.Security;
using Microsoft.Extensions.Options;

namespace LeadFlow.Crm.Backend.Auth;

/// <summary>
/// The original API Gateway scheme, with two scopes: every request carries <c>x-api-key</c>, the write key
/// (<c>Crm__ApiKey</c>) for writes, the read key (<c>Crm__ReadApiKey</c>) for reads (<see cref="ApiScopes"/>). Health is
/// open; the API description is open in Development only. Keys are compared in constant time
/// (<see cref="SharedSecrets"/>) and never logged, and the logged path is masked (<see cref="LoggedPath"/>): a refused
/// request's URL is the caller's text.
/// </summary>
public sealed partial class ApiKeyMiddleware(RequestDelegate next, IOptions<CrmOptions> options, IHostEnvironment environment, ILogger<ApiKeyMiddleware> logger)
{
    public const string HeaderName = "x-api-key";

    // In this order: a key configured as both (refused at start-up) would hold the write scope.
    private readonly SharedSecrets keys = new(options.Value.ApiKey, options.Value.ReadApiKey);
    private readonly bool descriptionIsOpen = environment.IsDevelopment();

    public async Task InvokeAsync(HttpContext context)
    {
        var required = ApiScopes.Required(context.Request.Method, context.Request.Path, descriptionIsOpen);
        if (required == ApiScope.Open)
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[HeaderName].ToString();
        var held = Scope(presented);
        if (held is { } scope && (required == ApiScope.Any || scope == required))
        {
            context.Items[typeof(ApiScope)] = scope;
            await next(context);
            return;
        }

        var path = LoggedPath.Mask(context.Request.Path);
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (held is { } wrong)
        {
            LogWrongScope(context.Request.Method, path, remote, wrong, required);
            await CrmProblems.WrongScope(required).ExecuteAsync(context);
            return;
        }

        LogRejected(context.Request.Method, path, presented.Length == 0 ? "missing" : "wrong", remote);
        await CrmProblems.Unauthorized().ExecuteAsync(context);
    }

    private ApiScope? Scope(string presented) => keys.IndexOf(presented) switch
    {
        0 => ApiScope.Write,
        1 => ApiScope.Read,
        _ => null,
    };

    [LoggerMessage(LogLevel.Warning, "Rejected {Method} {Path} from {Remote}: {Reason} API key")]
    private partial void LogRejected(string method, string path, string reason, string remote);

    [LoggerMessage(LogLevel.Warning, "Refused {Method} {Path} from {Remote}: a {Held} key where the {Required} key is needed")]
    private partial void LogWrongScope(string method, string path, string remote, ApiScope held, ApiScope required);
}
