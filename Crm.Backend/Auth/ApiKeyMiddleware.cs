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

    private static readonly string[] OpenPrefixes = [HealthEndpoints.Prefix, "/openapi", "/scalar"];

    private readonly byte[] expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey ?? ""));

    public async Task InvokeAsync(HttpContext context)
    {
        if (OpenPrefixes.Any(prefix => context.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[HeaderName].ToString();
        // Hashing first makes both sides the same length, so the comparison time says nothing about the key.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (presented.Length > 0 && CryptographicOperations.FixedTimeEquals(presentedHash, expectedHash))
        {
            await next(context);
            return;
        }

        LogRejected(context.Request.Method, context.Request.Path, presented.Length == 0 ? "missing" : "wrong", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        await CrmProblems.Unauthorized().ExecuteAsync(context);
    }

    [LoggerMessage(LogLevel.Warning, "Rejected {Method} {Path} from {Remote}: {Reason} API key")]
    private partial void LogRejected(string method, string path, string reason, string remote);
}
