using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadFlow.TestSupport.Aws;

/// <summary>One call as the fake saw it: its target, its signing service and the signed header list.</summary>
public sealed record FakeAwsCall(string Target, string SigningService, string SignedHeaders, JsonObject Body);

/// <summary>
/// The AWS JSON-protocol APIs LeadFlow calls, faked at the AWS boundary on real Kestrel: Step Functions
/// (<c>StartExecution</c> with its name rules and idempotency, <c>DescribeExecution</c>), Secrets Manager
/// (<c>GetSecretValue</c>) and SSM (<c>GetParameter</c>). Like AWS it refuses a call whose SigV4 signature does not verify
/// against the known test secret, or whose target, content type or credential scope is wrong.
/// </summary>
public sealed class FakeAwsServices : IAsyncDisposable
{
    public const string AccessKeyId = "AKIDFAKEAWS";
    public const string SecretAccessKey = "fake/aws+SECRET";
    public const string Region = "sa-east-1";
    public const string StateMachineArn = "arn:aws:states:sa-east-1:123456789012:stateMachine:leadflow-lead-onboarding";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeAwsCall> _calls = new();
    private readonly ConcurrentDictionary<string, FakeExecution> _executions = new();
    private readonly ConcurrentDictionary<string, string> _secrets = new();

    private FakeAwsServices(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every accepted call, in order.</summary>
    public IReadOnlyList<FakeAwsCall> Calls => [.. _calls];

    /// <summary>Every started execution by name.</summary>
    public IReadOnlyDictionary<string, FakeExecution> Executions => _executions;

    /// <summary>Calls refused for their signature, credential scope or shape.</summary>
    public int Refused { get; private set; }

    /// <summary>Answers the next StartExecution calls with this error code (e.g. <c>ThrottlingException</c>) instead; null = normal.</summary>
    public string? FailStartsWith { get; set; }

    public static async Task<FakeAwsServices> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeAwsServices(app);
        app.MapPost("/", fake.HandleAsync);
        await app.StartAsync();
        fake.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>A Secrets Manager secret: returns its ARN.</summary>
    public string PutSecret(string name, string value)
    {
        var arn = $"arn:aws:secretsmanager:{Region}:123456789012:secret:{name}-AbCdEf";
        _secrets[arn] = value;
        return arn;
    }

    /// <summary>An SSM SecureString parameter: returns its ARN.</summary>
    public string PutParameter(string name, string value)
    {
        var arn = $"arn:aws:ssm:{Region}:123456789012:parameter/{name.TrimStart('/')}";
        _secrets[arn] = value;
        return arn;
    }

    /// <summary>Closes an execution (as if it had ended), so a later start of its name answers ExecutionAlreadyExists.</summary>
    public void Close(string name, string status = "SUCCEEDED") => _executions[name] = _executions[name] with { Status = status };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var target = request.Headers["X-Amz-Target"].ToString();
        var (service, jsonVersion) = target.Split('.')[0] switch
        {
            "AWSStepFunctions" => ("states", "1.0"),
            "secretsmanager" => ("secretsmanager", "1.1"),
            "AmazonSSM" => ("ssm", "1.1"),
            _ => ("", ""),
        };
        if (service.Length == 0 || request.ContentType != $"application/x-amz-json-{jsonVersion}")
        {
            Refused++;
            return Error(400, "UnknownOperationException", $"target {target}, content type {request.ContentType}");
        }

        var (valid, signedHeaders, why) = SigV4.Verify(request, body, AccessKeyId, SecretAccessKey, Region, service);
        if (!valid)
        {
            Refused++;
            return Error(403, "InvalidSignatureException", why);
        }

        var json = JsonNode.Parse(body)!.AsObject();
        _calls.Enqueue(new FakeAwsCall(target, service, signedHeaders, json));
        return target switch
        {
            "AWSStepFunctions.StartExecution" => StartExecution(json),
            "AWSStepFunctions.DescribeExecution" => DescribeExecution(json),
            "secretsmanager.GetSecretValue" => _secrets.TryGetValue(json["SecretId"]!.GetValue<string>(), out var secret)
                ? Answer(new JsonObject { ["ARN"] = json["SecretId"]!.GetValue<string>(), ["SecretString"] = secret })
                : Error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
            "AmazonSSM.GetParameter" => _secrets.TryGetValue(json["Name"]!.GetValue<string>(), out var parameter) && json["WithDecryption"]?.GetValue<bool>() == true
                ? Answer(new JsonObject { ["Parameter"] = new JsonObject { ["Name"] = json["Name"]!.GetValue<string>(), ["Type"] = "SecureString", ["Value"] = parameter } })
                : Error(400, "ParameterNotFound", "no such parameter, or asked without WithDecryption"),
            _ => Error(400, "UnknownOperationException", target),
        };
    }

    private IResult StartExecution(JsonObject request)
    {
        if (FailStartsWith is { } failure)
        {
            return Error(400, failure, "injected by the test");
        }

        var machine = request["stateMachineArn"]!.GetValue<string>();
        var name = request["name"]!.GetValue<string>();
        var input = request["input"]!.GetValue<string>();
        // API_StartExecution: 1-80 characters, none of whitespace, brackets, wildcards, special or control characters.
        if (name.Length is 0 or > 80 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || "<>{}[]?*\"#%\\^|~`$&,;:/".Contains(c, StringComparison.Ordinal)))
        {
            return Error(400, "InvalidName", $"Invalid Name: '{name}'");
        }

        if (machine != StateMachineArn)
        {
            return Error(400, "StateMachineDoesNotExist", $"State Machine Does Not Exist: '{machine}'");
        }

        JsonNode.Parse(input);
        var started = new FakeExecution(name, $"{StateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal)}:{name}", input, "RUNNING", DateTimeOffset.UtcNow);
        var existing = _executions.GetOrAdd(name, started);
        if (!ReferenceEquals(existing, started) && (existing.Status != "RUNNING" || existing.Input != input))
        {
            // Standard workflows: a name is unique for 90 days; a repeat of a running execution with the same input is idempotent.
            return Error(400, "ExecutionAlreadyExists", $"Execution Already Exists: '{existing.Arn}'");
        }

        return Answer(new JsonObject { ["executionArn"] = existing.Arn, ["startDate"] = existing.StartDate.ToUnixTimeMilliseconds() / 1000.0 });
    }

    private IResult DescribeExecution(JsonObject request)
    {
        var arn = request["executionArn"]!.GetValue<string>();
        var execution = _executions.Values.FirstOrDefault(e => e.Arn == arn);
        return execution is null
            ? Error(400, "ExecutionDoesNotExist", $"Execution Does Not Exist: '{arn}'")
            : Answer(new JsonObject { ["executionArn"] = execution.Arn, ["name"] = execution.Name, ["status"] = execution.Status, ["input"] = execution.Input });
    }

    private static IResult Answer(JsonObject body) => Results.Text(body.ToJsonString(), "application/x-amz-json-1.0");

    private static IResult Error(int status, string type, string message) =>
        Results.Json(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }, statusCode: status, contentType: "application/x-amz-json-1.0");
}

/// <summary>An execution the fake Step Functions holds.</summary>
public sealed record FakeExecution(string Name, string Arn, string Input, string Status, DateTimeOffset StartDate);

/// <summary>Signature Version 4 recomputed from the known test secret, as AWS checks it.</summary>
public static class SigV4
{
    /// <returns>Whether the request's signature, credential scope and date hold, the signed headers, and why not.</returns>
    public static (bool Valid, string SignedHeaders, string Why) Verify(HttpRequest request, byte[] body, string accessKeyId, string secretAccessKey, string region, string service)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        const string scheme = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(scheme, StringComparison.Ordinal))
        {
            return (false, "", "no SigV4 Authorization header");
        }

        var parts = authorization[scheme.Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var credential = parts["Credential"].Split('/');
        var (keyId, date, scopeRegion, scopeService) = (credential[0], credential[1], credential[2], credential[3]);
        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (keyId != accessKeyId || scopeRegion != region || scopeService != service || credential[4] != "aws4_request" || !amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            return (false, parts["SignedHeaders"], $"wrong credential scope {parts["Credential"]}");
        }

        var signedHeaders = parts["SignedHeaders"];
        var canonicalHeaders = string.Concat(signedHeaders.Split(';').Select(h => $"{h}:{(h == "host" ? request.Host.Value ?? "" : request.Headers[h].ToString()).Trim()}\n"));
        var canonicalRequest = string.Join('\n', request.Method, request.Path.HasValue ? request.Path.Value : "/", request.QueryString.Value?.TrimStart('?') ?? "",
            canonicalHeaders, signedHeaders, Convert.ToHexStringLower(SHA256.HashData(body)));
        var credentialScope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{credentialScope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var step in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(step));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        var timeOk = DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            && Math.Abs((DateTime.UtcNow - at).TotalMinutes) < 5;
        var signedWhatAwsNeeds = signedHeaders.Split(';') is var names && names.Contains("host") && names.Contains("x-amz-date") && names.Contains("x-amz-target");
        return (expected == parts["Signature"] && timeOk && signedWhatAwsNeeds, signedHeaders, $"signature mismatch (canonical request:\n{canonicalRequest})");
    }
}
