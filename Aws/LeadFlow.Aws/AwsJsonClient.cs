using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime.Internal.Auth;

namespace LeadFlow.Aws;

/// <summary>One call of an AWS JSON-protocol API (EventBridge, Step Functions, Secrets Manager, SSM).</summary>
/// <param name="Endpoint">The service endpoint, e.g. <c>https://states.eu-west-1.amazonaws.com/</c>.</param>
/// <param name="SigningService">The SigV4 service name, e.g. <c>states</c>, <c>events</c>, <c>secretsmanager</c>, <c>ssm</c>.</param>
/// <param name="Region">The SigV4 signing region.</param>
/// <param name="Target">The <c>X-Amz-Target</c> header, e.g. <c>AWSStepFunctions.StartExecution</c>.</param>
/// <param name="JsonVersion"><c>1.0</c> (Step Functions) or <c>1.1</c> (EventBridge, Secrets Manager, SSM): the content type <c>application/x-amz-json-&lt;version&gt;</c>.</param>
/// <param name="Body">The request's JSON body.</param>
public sealed record AwsJsonRequest(Uri Endpoint, string SigningService, string Region, string Target, string JsonVersion, byte[] Body);

/// <summary>Sends signed AWS JSON-protocol calls. The one seam between LeadFlow and AWS's APIs: tests point it at local fakes.</summary>
public interface IAwsJsonClient
{
    /// <returns>The answer's JSON body (an empty object when the answer had none).</returns>
    /// <exception cref="AwsRequestException">The call failed: an AWS error (code, message, status) or a transport failure.</exception>
    Task<JsonDocument> SendAsync(AwsJsonRequest request, CancellationToken cancellationToken = default);
}

/// <summary>An AWS call that failed, with AWS's error code (<c>ExecutionAlreadyExists</c>, <c>ThrottlingException</c>, ...).</summary>
public sealed class AwsRequestException(string errorCode, string message, bool retryable, int? statusCode = null, Exception? inner = null)
    : Exception($"{errorCode}: {message}", inner)
{
    /// <summary>AWS's error code without its namespace, e.g. <c>ExecutionAlreadyExists</c>; <c>ConnectionFailure</c> or <c>Timeout</c> when no answer came.</summary>
    public string ErrorCode { get; } = errorCode;

    /// <summary>The message without the code.</summary>
    public string Reason { get; } = message;

    /// <summary>Worth trying again: 5xx, 429, throttling, no answer.</summary>
    public bool Retryable { get; } = retryable;

    /// <summary>The HTTP status when AWS answered.</summary>
    public int? StatusCode { get; } = statusCode;
}

/// <summary>
/// AWS JSON protocols over plain HTTP, signed with Signature Version 4. The canonical request is built here (POST to
/// the endpoint's path, signed headers content-type, host, x-amz-date, x-amz-target and, with temporary credentials,
/// x-amz-security-token); the signing key and signature come from AWSSDK.Core's <see cref="AWS4Signer"/>.
/// Credentials are never logged (<see cref="AwsCredentials.ToString"/>).
/// </summary>
public sealed class AwsJsonClient(HttpClient http, AwsCredentials credentials, TimeProvider? clock = null) : IAwsJsonClient
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <inheritdoc/>
    public async Task<JsonDocument> SendAsync(AwsJsonRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = Sign(request);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new AwsRequestException("ConnectionFailure", $"{request.Endpoint} could not be reached: {e.Message}", retryable: true, inner: e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsRequestException("Timeout", $"{request.Endpoint} did not answer in time", retryable: true, inner: e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Failed(response, text);
            }

            try
            {
                return JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            }
            catch (JsonException e)
            {
                throw new AwsRequestException("InvalidResponse", $"{request.Target} answered something that is not JSON", retryable: true, (int)response.StatusCode, e);
            }
        }
    }

    private HttpRequestMessage Sign(AwsJsonRequest request)
    {
        var contentType = $"application/x-amz-json-{request.JsonVersion}";
        var message = new HttpRequestMessage(HttpMethod.Post, request.Endpoint) { Content = new ByteArrayContent(request.Body) };
        var signedAt = _clock.GetUtcNow().UtcDateTime;
        var amzDate = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var uri = request.Endpoint;
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        message.Headers.Add("X-Amz-Target", request.Target);
        message.Headers.Add("X-Amz-Date", amzDate);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = contentType,
            ["host"] = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}",
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = request.Target,
        };
        if (credentials.SessionToken is { } token)
        {
            message.Headers.Add("X-Amz-Security-Token", token);
            headers["x-amz-security-token"] = token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = string.Join('\n',
            "POST",
            string.IsNullOrEmpty(uri.AbsolutePath) ? "/" : uri.AbsolutePath,
            uri.Query.TrimStart('?'),
            string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n")),
            signedHeaders,
            Convert.ToHexStringLower(SHA256.HashData(request.Body)));
        var signature = AWS4Signer.ComputeSignature(credentials.AccessKeyId, credentials.SecretAccessKey, request.Region, signedAt, request.SigningService, signedHeaders, canonicalRequest);
        message.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
        return message;
    }

    private static AwsRequestException Failed(HttpResponseMessage response, string body)
    {
        string? code = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        string? message = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                code ??= json.RootElement.TryGetProperty("__type", out var type) ? type.GetString() : null;
                message = json.RootElement.TryGetProperty("message", out var m) || json.RootElement.TryGetProperty("Message", out m) ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
            message = body.Length > 200 ? body[..200] : body;
        }

        // "com.amazonaws...#ThrottlingException" and "ThrottlingException:http://..." both name the code.
        code = (code ?? $"Http{(int)response.StatusCode}").Split(':')[0];
        code = code[(code.LastIndexOf('#') + 1)..];
        var retryable = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests || code.Contains("Throttl", StringComparison.OrdinalIgnoreCase);
        return new AwsRequestException(code, message ?? response.ReasonPhrase ?? "", retryable, (int)response.StatusCode);
    }
}
