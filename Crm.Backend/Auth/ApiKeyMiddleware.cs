using System.Security.Cryptography;
using System.Text;
using LeadFlow.Crm.Backend.Configuration;
using LeadFlow.Crm.Backend.Health;
using LeadFlow.Crm.Backend.Problems;
using Microsoft.Extensions.Options;

namespace LeadFlow.Crm.Backend.Auth;

/// <summary>
/// The original API Gateway scheme: every request carries <c>x-api-key</c>. Health and the API description
/// (OpenAPI document, Scalar page) are open. The key is compared in constant time and never logged.
/// </summary>
public sealed partial class ApiKeyMiddleware(RequestDelegate next, IOptions<CrmOptions> options, ILogger<ApiKeyMiddleware> logger)
{
    public const string HeaderName = "x-api-key";

    private static readonly PathString[] OpenPrefixes = [HealthEndpoints.Prefix, "/openapi", "/scalar"];

    private readonly byte[] expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey ?? ""));

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsOpen(context.Request.Path))
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[HeaderName].ToString();
        // Hashing first makes both sides the same length, so the comparison time says nothing about the key.
        if (presented.Length > 0 && CryptographicOperations.FixedTimeEquals(Hash(presented), expectedHash))
        {
            await next(context);
            return;
        }

        LogRejected(context.Request.Method, context.Request.Path, presented.Length == 0 ? "missing" : "wrong", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        await CrmProblems.Unauthorized().ExecuteAsync(context);
    }

    private static bool IsOpen(PathString path)
    {
        foreach (var prefix in OpenPrefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
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
}
