using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.Runtime.Internal.Auth;

namespace LeadFlow.Ingress.Publishing;

/// <summary>
/// EventBridge PutEvents over plain HTTP: the JSON 1.1 protocol (<c>X-Amz-Target: AWSEvents.PutEvents</c>),
/// signed with Signature Version 4. The canonical request is built here; the signing key and
/// signature come from AWSSDK.Core's <see cref="AWS4Signer"/>.
/// </summary>
public sealed class EventBridgeHttpClient(HttpClient http, PublisherOptions options, AwsCredentials credentials, TimeProvider? clock = null) : IEventBusClient
{
    public const string Target = "AWSEvents.PutEvents";
    public const string ContentType = "application/x-amz-json-1.1";
    public const string SigningService = "events";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<IReadOnlyList<EventBusEntryResult>> PutEventsAsync(IReadOnlyList<EventBusEntry> entries, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new PutEventsRequest(entries.Select(e => new PutEventsRequestEntry(e.Source, e.DetailType, e.Detail, e.EventBusName)).ToList()), Json);
        using var request = Sign(new HttpRequestMessage(HttpMethod.Post, options.Endpoint) { Content = new ByteArrayContent(body) }, body);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new EventBusRequestException("ConnectionFailure", $"{options.Endpoint} could not be reached: {e.Message}", retryable: true, inner: e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EventBusRequestException("Timeout", $"{options.Endpoint} did not answer in time", retryable: true, inner: e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw RequestFailed(response, text);
            }

            var answer = JsonSerializer.Deserialize<PutEventsResponse>(text, Json)
                ?? throw new EventBusRequestException("InvalidResponse", "PutEvents answered null", retryable: true, (int)response.StatusCode);
            if (answer.Entries is null || answer.Entries.Count != entries.Count)
            {
                throw new EventBusRequestException("InvalidResponse", $"PutEvents answered {answer.Entries?.Count ?? 0} entries for {entries.Count}", retryable: true, (int)response.StatusCode);
            }

            return answer.Entries.Select(e => new EventBusEntryResult(e.EventId, e.ErrorCode, e.ErrorMessage)).ToList();
        }
    }

    private HttpRequestMessage Sign(HttpRequestMessage request, byte[] body)
    {
        var signedAt = _clock.GetUtcNow().UtcDateTime;
        var amzDate = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var uri = request.RequestUri!;
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        request.Headers.Add("X-Amz-Target", Target);
        request.Headers.Add("X-Amz-Date", amzDate);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = ContentType,
            ["host"] = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}",
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = Target,
        };
        if (credentials.SessionToken is { } token)
        {
            request.Headers.Add("X-Amz-Security-Token", token);
            headers["x-amz-security-token"] = token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = string.Join('\n',
            "POST",
            string.IsNullOrEmpty(uri.AbsolutePath) ? "/" : uri.AbsolutePath,
            uri.Query.TrimStart('?'),
            string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n")),
            signedHeaders,
            Convert.ToHexStringLower(SHA256.HashData(body)));
        var signature = AWS4Signer.ComputeSignature(credentials.AccessKeyId, credentials.SecretAccessKey, options.Region, signedAt, SigningService, signedHeaders, canonicalRequest);
        request.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
        return request;
    }

    private static EventBusRequestException RequestFailed(HttpResponseMessage response, string body)
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
        return new EventBusRequestException(code, message ?? response.ReasonPhrase ?? "", retryable, (int)response.StatusCode);
    }

    private sealed record PutEventsRequest(List<PutEventsRequestEntry> Entries);

    private sealed record PutEventsRequestEntry(string Source, string DetailType, string Detail, string EventBusName);

    private sealed record PutEventsResponse(int FailedEntryCount, List<PutEventsResultEntry>? Entries);

    private sealed record PutEventsResultEntry(string? EventId, string? ErrorCode, string? ErrorMessage);
}
