using System.Globalization;
using System.Net;
using System.Text.Json;
using LeadFlow.Leads;
using LeadFlow.Steps;

namespace LeadFlow.Steps.Crm;

/// <summary>
/// Turns the backend's answers and transport failures into the steps' typed errors: 4xx is the
/// caller's fault (not retryable), 5xx, timeouts and refused connections are worth retrying, and a
/// backend that throttles (429, or 503 with <c>Retry-After</c>) is retried no sooner than it asks.
/// </summary>
public static class CrmErrorMapping
{
    private const int MaxBodyCharacters = 4_000;

    /// <summary>Refit's exception factory: null for success, otherwise the typed error with the problem detail.</summary>
    public static async ValueTask<Exception?> FromResponseAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        var status = (int)response.StatusCode;
        var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        var (problem, fieldErrors) = ReadProblem(body);
        var request = response.RequestMessage;
        var message = string.Create(CultureInfo.InvariantCulture, $"CRM backend answered {status} to {request?.Method} {request?.RequestUri?.AbsolutePath}: {problem}");

        return response.StatusCode switch
        {
            // A wrong key is an operator's fix, not the lead's fault and not an outage: its own error type, so it alerts,
            // shows in the lead's status, and the lead waits for the fixed key (LeadOnboardingSteps.CredentialsRetryInterval).
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new CrmUnauthorizedException(
                string.Create(CultureInfo.InvariantCulture, $"{CrmUnauthorizedException.Headline} ({status}): {message}. Fix: set Crm__ApiKey (worker) or the secret the Lambdas read (Crm__ApiKeySecretArn) to the backend's write key; leads retry every {LeadOnboardingSteps.CredentialsRetryInterval.TotalMinutes:0} minutes until it is fixed"),
                status),
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable when RetryAfter(response, DateTimeOffset.UtcNow) is { } wait =>
                new CrmTransientException(string.Create(CultureInfo.InvariantCulture, $"{message} (asked to retry after {wait.TotalSeconds:0.###} s)"), status, retryAfter: wait),
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => new CrmTransientException(message, status),
            _ when status is >= 400 and < 500 => new CrmPermanentException(message, status, fieldErrors),
            _ => new CrmTransientException(message, status),
        };
    }

    /// <summary>
    /// The answer's <c>Retry-After</c> (RFC 9110 section 10.2.3: delay-seconds, or an HTTP-date) as a delay from
    /// <paramref name="now"/>; a date in the past is zero. Null when the header is absent or not one of those forms.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };
    }

    /// <summary>Refit's transport exception factory: timeouts and refused connections become retryable errors.</summary>
    public static Exception FromTransportFailure(HttpRequestMessage request, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return exception;
        }

        var target = $"{request.Method} {request.RequestUri}";
        return exception switch
        {
            OperationCanceledException => new CrmTransientException($"CRM backend did not answer {target} in time (Crm__Timeout)", inner: exception),
            _ => new CrmTransientException($"CRM backend not reachable for {target}: {exception.Message}", inner: exception),
        };
    }

    private static (string Problem, IReadOnlyList<FieldError> FieldErrors) ReadProblem(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return ("(no body)", []);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (Truncate(body), []);
            }

            var title = Text(root, "title");
            var detail = Text(root, "detail");
            var errors = root.TryGetProperty("errors", out var list) ? ReadFieldErrors(list) : [];
            var problem = string.Join(": ", new[] { title, detail }.Where(s => !string.IsNullOrWhiteSpace(s)));
            if (errors.Count > 0)
            {
                problem = $"{problem} ({string.Join("; ", errors)})";
            }

            return (problem.Length == 0 ? Truncate(body) : problem, errors);
        }
        catch (JsonException)
        {
            return (Truncate(body), []);
        }
    }

    private static List<FieldError> ReadFieldErrors(JsonElement errors)
    {
        var found = new List<FieldError>();
        if (errors.ValueKind == JsonValueKind.Array)
        {
            foreach (var error in errors.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
            {
                found.Add(new FieldError(Text(error, "field") ?? "", Text(error, "rule") ?? "", Text(error, "message") ?? ""));
            }
        }
        else if (errors.ValueKind == JsonValueKind.Object)
        {
            // ASP.NET's ValidationProblemDetails shape: { "field": ["message", ...] }.
            foreach (var field in errors.EnumerateObject())
            {
                var messages = field.Value.ValueKind == JsonValueKind.Array
                    ? field.Value.EnumerateArray().Select(m => m.ToString())
                    : [field.Value.ToString()];
                found.AddRange(messages.Select(m => new FieldError(field.Name, "invalid", m)));
            }
        }

        return found;
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Truncate(string body) => body.Length <= MaxBodyCharacters ? body : body[..MaxBodyCharacters] + "...";
}
