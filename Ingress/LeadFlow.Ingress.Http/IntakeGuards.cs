using System.Text;
using LeadFlow.Hosting.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LeadFlow.Ingress.Http;

/// <summary>
/// The endpoint filters that keep the intake closed to what should not reach it: the API key on the machine routes, JSON
/// content types (a cross-site page can post <c>text/plain</c> without a CORS preflight, never <c>application/json</c>),
/// and, on the web form's routes, same-origin requests with an anti-forgery token.
/// </summary>
public static class IntakeGuards
{
    /// <summary>The header the web form sends its anti-forgery token in (<c>GET /form/token</c> hands it out).</summary>
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    /// <summary>The SNS header of an HTTP(S) subscription's deliveries, which SNS posts as <c>text/plain</c>.</summary>
    public const string SnsMessageTypeHeader = "x-amz-sns-message-type";

    /// <summary>
    /// 415 unless the body is JSON by its Content-Type (<c>application/json</c> or <c>application/*+json</c>). SNS posts
    /// its notifications as <c>text/plain</c> with <c>x-amz-sns-message-type</c>
    /// (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html), a header a cross-site page cannot add
    /// without a preflight: that pair is taken too.
    /// </summary>
    public static async ValueTask<object?> RequireJsonAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        if (IsJson(request.ContentType) || (IsTextPlain(request.ContentType) && request.Headers.ContainsKey(SnsMessageTypeHeader)))
        {
            return await next(context);
        }

        return TypedResults.Problem(
            $"Send the body as JSON with Content-Type: application/json (got {(string.IsNullOrEmpty(request.ContentType) ? "none" : request.ContentType)}).",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported Content-Type");
    }

    /// <summary>
    /// 401 unless <c>x-api-key</c>, or else the password of <c>Authorization: Basic</c>, is <c>Ingress__ApiKey</c> (compared
    /// in constant time, <see cref="SharedSecrets"/>); open when no key is set (loopback only, see
    /// <see cref="IngressOptionsValidator"/>).
    /// </summary>
    public static async ValueTask<object?> RequireApiKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var expected = context.HttpContext.RequestServices.GetRequiredService<IOptions<IngressOptions>>().Value.ApiKey;
        if (string.IsNullOrEmpty(expected))
        {
            return await next(context);
        }

        var request = context.HttpContext.Request;
        var given = request.Headers["x-api-key"].FirstOrDefault() ?? BasicAuthPassword(request) ?? "";
        return new SharedSecrets(expected).Contains(given)
            ? await next(context)
            : TypedResults.Problem("Send the intake's API key in the x-api-key header (or as the password of HTTP Basic authentication).", statusCode: StatusCodes.Status401Unauthorized, title: "Missing or wrong API key");
    }

    /// <summary>
    /// 403 unless the request comes from a page of this intake: <c>Sec-Fetch-Site: same-origin</c>, or, from a browser
    /// without Fetch Metadata, an <c>Origin</c> of this host. A request with neither is no browser's form post.
    /// </summary>
    public static async ValueTask<object?> RequireSameOriginAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        var site = request.Headers["Sec-Fetch-Site"].FirstOrDefault();
        var origin = request.Headers.Origin.FirstOrDefault();
        var sameOrigin = site is not null
            ? site == "same-origin"
            : origin is not null && Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
        return sameOrigin
            ? await next(context)
            : TypedResults.Problem("The web form's routes take requests from the intake's own page only; other clients post to /events with the API key.", statusCode: StatusCodes.Status403Forbidden, title: "Not from this site");
    }

    /// <summary>400 unless the anti-forgery cookie and the <see cref="AntiforgeryHeader"/> token of <c>GET /form/token</c> match.</summary>
    public static async ValueTask<object?> RequireAntiforgeryTokenAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            await antiforgery.ValidateRequestAsync(context.HttpContext);
        }
        catch (AntiforgeryValidationException)
        {
            return TypedResults.Problem("Reload the page: the form's anti-forgery token is missing or does not match its cookie.", statusCode: StatusCodes.Status400BadRequest, title: "Missing or wrong anti-forgery token");
        }

        return await next(context);
    }

    /// <summary>
    /// The password of <c>Authorization: Basic</c> (RFC 7617), any user name: how an SNS HTTPS subscription carries the
    /// key, since SNS cannot send custom headers but sends the credentials of its endpoint URL
    /// (<c>https://leadflow:&lt;key&gt;@intake.example.com/events</c>,
    /// https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html).
    /// </summary>
    private static string? BasicAuthPassword(HttpRequest request)
    {
        const string scheme = "Basic ";
        var authorization = request.Headers.Authorization.FirstOrDefault();
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var bytes = new byte[authorization.Length];
        if (!Convert.TryFromBase64String(authorization[scheme.Length..].Trim(), bytes, out var written))
        {
            return null;
        }

        var credentials = Encoding.UTF8.GetString(bytes, 0, written);
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : credentials[(colon + 1)..];
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && media.SubType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    private static bool IsTextPlain(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
}
