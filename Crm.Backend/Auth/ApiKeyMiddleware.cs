using System.Security.Cryptography;
using System.Text;
using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.Extensions.Options;

namespace LeadFlow.Crm.Backend.Auth;

/// <summary>
/// The original API Gateway scheme, with two scopes: every request carries <c>x-api-key</c>, the write key
/// (<c>Crm__ApiKey</c>) for writes, the read key (<c>Crm__ReadApiKey</c>) for reads (<see cref="ApiScopes"/>). Health is
/// open; the API description is open in Development only. Keys are compared in constant time and never logged, and
/// the logged path is masked (<see cref="LoggedPath"/>): a refused request's URL is the caller's text.
/// </summary>
public sealed partial class ApiKeyMiddleware(RequestDelegate next, IOptions<CrmOptions> options, IHostEnvironment environment, ILogger<ApiKeyMiddleware> logger)
{
    public const string HeaderName = "x-api-key";

    private readonly byte[] writeHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey ?? ""));
    private readonly byte[] readHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ReadApiKey ?? ""));
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

    private ApiScope? Scope(string presented)
    {
        if (presented.Length == 0)
        {
            return null;
        }

        // Hashing first makes both sides the same length, so the comparison time says nothing about the key.
        var hash = Hash(presented);
        return CryptographicOperations.FixedTimeEquals(hash, writeHash) ? ApiScope.Write
            : CryptographicOperations.FixedTimeEquals(hash, readHash) ? ApiScope.Read
            : null;
    }

    private static byte[] Hash(string presented)
    {
        // Every request carries the key: hash it from a stack buffer when it is of a sensible size.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(presented.Length);
        Span<byte> utf8 = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        return SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(presented, utf8)]);
    }

    [LoggerMessage(LogLevel.Warning, "Rejected {Method} {Path} from {Remote}: {Reason} API key")]
    private partial void LogRejected(string method, string path, string reason, string remote);

    [LoggerMessage(LogLevel.Warning, "Refused {Method} {Path} from {Remote}: a {Held} key where the {Required} key is needed")]
    private partial void LogWrongScope(string method, string path, string remote, ApiScope held, ApiScope required);
}
