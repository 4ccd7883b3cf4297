using Google.Protobuf;
using LeadFlow.Temporal.Encryption;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Temporalio.Api.Common.V1;

namespace LeadFlow.Ingress.Codec;

/// <summary>
/// Temporal's remote codec protocol (https://docs.temporal.io/production-deployment/data-encryption, "API contract
/// specifications"): <c>POST /codec/decode</c> and <c>POST /codec/encode</c> take and answer <c>{"payloads":[...]}</c> in
/// protobuf JSON (metadata values and data base64), <c>Content-Type: application/json</c>, the namespace in
/// <c>X-Namespace</c>. Every call needs credentials (<see cref="CodecCallers"/>). The Web UI's endpoint setting is the
/// <c>/codec</c> URL; it appends <c>/decode</c> and <c>/encode</c> itself.
/// </summary>
public static partial class CodecEndpoints
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Maps <c>/codec/decode</c>, <c>/codec/encode</c>, <c>/codec/sign-in</c> and <c>/codec/sign-in-links</c> (both answer only when sign-in links are on).</summary>
    public static IEndpointRouteBuilder MapPayloadCodec(this IEndpointRouteBuilder app)
    {
        var codec = app.MapGroup("/codec").WithTags("Codec");
        codec.MapPost("/decode", (HttpContext context, AesGcmPayloadCodec payloads, CodecCallers callers, IOptions<CodecServerOptions> options, ILoggerFactory logs) =>
            ApplyAsync(context, "decode", payloads.DecodeAsync, callers, options.Value, logs.CreateLogger(typeof(CodecEndpoints))));
        codec.MapPost("/encode", (HttpContext context, AesGcmPayloadCodec payloads, CodecCallers callers, IOptions<CodecServerOptions> options, ILoggerFactory logs) =>
            ApplyAsync(context, "encode", payloads.EncodeAsync, callers, options.Value, logs.CreateLogger(typeof(CodecEndpoints))));
        codec.MapGet("/sign-in", SignIn);
        codec.MapPost("/sign-in-links", CreateSignInLink);
        return app;
    }

    private static async Task<IResult> ApplyAsync(
        HttpContext context,
        string operation,
        Func<IReadOnlyCollection<Payload>, Task<IReadOnlyCollection<Payload>>> apply,
        CodecCallers callers,
        CodecServerOptions options,
        ILogger logger)
    {
        var request = context.Request;
        if (callers.Identify(request) is not { } caller)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem(StatusCodes.Status401Unauthorized, "codec.credentials", "Credentials required",
                "Every call needs an access token (Authorization: Bearer <token>, or x-api-key) named in Codec__AccessTokens, or a browser session from a sign-in link.");
        }

        var @namespace = request.Headers["X-Namespace"].ToString() is { Length: > 0 } given ? given : options.Namespaces[0];
        if (!options.Namespaces.Contains(@namespace, StringComparer.Ordinal))
        {
            return Problem(StatusCodes.Status403Forbidden, "codec.namespace", "Namespace not served",
                $"This codec server serves the namespaces {string.Join(", ", options.Namespaces)} (Codec__Namespaces), not \"{@namespace}\" (X-Namespace).");
        }

        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "codec.contentType", "JSON required", "Send Content-Type: application/json with {\"payloads\":[...]}.");
        }

        if (request.ContentLength > options.MaxBodyBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "codec.tooLarge", "Body too large", $"At most {options.MaxBodyBytes} bytes (Codec__MaxBodyBytes).");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxBodyBytes;
        }

        Payloads input;
        try
        {
            using var reader = new StreamReader(request.Body);
            input = Parser.Parse<Payloads>(await reader.ReadToEndAsync(context.RequestAborted));
        }
        catch (InvalidProtocolBufferException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "codec.body", "Not a payloads body", $"The body must be {{\"payloads\":[{{\"metadata\":{{...}},\"data\":\"<base64>\"}}]}} in protobuf JSON: {e.Message}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "codec.tooLarge", "Body too large", $"At most {options.MaxBodyBytes} bytes (Codec__MaxBodyBytes).");
        }

        IReadOnlyCollection<Payload> output;
        try
        {
            output = await apply(input.Payloads_);
        }
        catch (EncryptionKeyNotFoundException e)
        {
            LogKeyMissing(logger, operation, caller, @namespace, e.KeyId);
            return Problem(StatusCodes.Status422UnprocessableEntity, "codec.keyNotFound", $"Key \"{e.KeyId}\" not available", e.Message, e.KeyId);
        }
        catch (PayloadDecryptionException e)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "codec.payload", "Payload does not decrypt", e.Message);
        }

        LogApplied(logger, operation, input.Payloads_.Count, caller, @namespace);
        return TypedResults.Text(JsonFormatter.Default.Format(new Payloads { Payloads_ = { output } }), "application/json");
    }

    /// <summary>A one-time sign-in link: sets the browser's session cookie, for a Web UI that can only send cookies.</summary>
    private static Results<ContentHttpResult, ProblemHttpResult> SignIn(HttpContext context, CodecCallers callers, string? code)
    {
        if (callers.RedeemSignInCode(code) is not { } session)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Sign-in link not valid",
                detail: callers.SignInLinksEnabled ? "This sign-in link is unknown, was used already or expired: ask the host that printed it for a new one." : "Sign-in links are off (Codec__SignInLinks).",
                type: "codec.signIn");
        }

        context.Response.Cookies.Append(CodecCallers.SessionCookie, session, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/codec",
            MaxAge = CodecCallers.SessionLifetime,
        });
        return TypedResults.Content(
            "<!doctype html><title>LeadFlow codec server</title><p>Signed in to the LeadFlow codec server. The Temporal Web UI in this browser now shows payloads decrypted; you can close this tab.</p>",
            "text/html");
    }

    /// <summary>
    /// A new one-time sign-in link for whoever holds an access token (a browser session cannot make more): how an operator
    /// of a server that prints none (docker compose) gets one. The link is under the URL the caller used.
    /// </summary>
    private static IResult CreateSignInLink(HttpContext context, CodecCallers callers, ILoggerFactory logs)
    {
        if (callers.IdentifyToken(context.Request) is not { } caller)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem(StatusCodes.Status401Unauthorized, "codec.credentials", "Access token required",
                "Only an access token of Codec__AccessTokens__<name> (Authorization: Bearer <token>, or x-api-key) makes sign-in links.");
        }

        if (!callers.SignInLinksEnabled)
        {
            return Problem(StatusCodes.Status409Conflict, "codec.signInLinksOff", "Sign-in links are off", "Set Codec__SignInLinks=true to make sign-in links.");
        }

        var request = context.Request;
        var link = callers.CreateSignInLink(new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/codec"));
        LogSignInLink(logs.CreateLogger(typeof(CodecEndpoints)), caller);
        return TypedResults.Ok(new SignInLinkAnswer(link, (int)CodecCallers.SignInCodeLifetime.TotalMinutes));
    }

    private static IResult Problem(int status, string type, string title, string detail, string? keyId = null) =>
        TypedResults.Problem(statusCode: status, type: type, title: title, detail: detail, extensions: keyId is null ? null : new Dictionary<string, object?> { ["keyId"] = keyId });

    [LoggerMessage(Level = LogLevel.Information, Message = "Codec {Operation}: {Count} payload(s) for {Caller} (namespace {Namespace})")]
    private static partial void LogApplied(ILogger logger, string operation, int count, string caller, string @namespace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Codec sign-in link made for {Caller}")]
    private static partial void LogSignInLink(ILogger logger, string caller);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Codec {Operation} for {Caller} (namespace {Namespace}) refused: a payload names key \"{KeyId}\", which this server does not have (LeadFlow__Encryption__Keys__{KeyId})")]
    private static partial void LogKeyMissing(ILogger logger, string operation, string caller, string @namespace, string keyId);
}

/// <summary>The answer of <c>POST /codec/sign-in-links</c>: a link to open once in the Web UI's browser, valid for <paramref name="ValidForMinutes"/> minutes.</summary>
public sealed record SignInLinkAnswer(Uri Link, int ValidForMinutes);
