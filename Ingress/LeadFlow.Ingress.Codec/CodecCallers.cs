using System.Collections.Concurrent;
using System.Security.Cryptography;
using LeadFlow.Hosting.Security;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Codec;

/// <summary>
/// Who is calling the codec: a configured access token (<c>Authorization: Bearer</c> or <c>x-api-key</c>, compared in
/// constant time, <see cref="SharedSecrets"/>), or a browser session from a one-time sign-in link
/// (<see cref="CodecServerOptions.SignInLinks"/>).
/// Sessions and codes live in this process only: a restart signs every browser out.
/// </summary>
public sealed class CodecCallers
{
    /// <summary>The session cookie a sign-in link sets (HttpOnly, SameSite=Strict, path /codec).</summary>
    public const string SessionCookie = "leadflow-codec-session";

    /// <summary>How long a sign-in link can be used, once.</summary>
    public static readonly TimeSpan SignInCodeLifetime = TimeSpan.FromMinutes(30);

    /// <summary>How long a browser session lasts.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    private readonly string[] tokenNames;
    private readonly SharedSecrets tokens;
    private readonly ConcurrentDictionary<string, DateTimeOffset> codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider time;

    public CodecCallers(IOptions<CodecServerOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.AccessTokens.ToArray();
        tokenNames = [.. configured.Select(pair => pair.Key)];
        tokens = new SharedSecrets(configured.Select(pair => pair.Value.Trim()));
        SignInLinksEnabled = options.Value.SignInLinks;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>Whether sign-in links are on (<c>Codec__SignInLinks</c>).</summary>
    public bool SignInLinksEnabled { get; }

    /// <summary>The caller's name (the token's name, or <c>browser session</c>); null when the request carries no valid credentials.</summary>
    public string? Identify(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Presented(request).Length > 0)
        {
            return IdentifyToken(request);
        }

        return request.Cookies.TryGetValue(SessionCookie, out var session) && IsLive(sessions, session) ? "browser session" : null;
    }

    /// <summary>The name of the access token the request carries; null without a valid token (a browser session does not count).</summary>
    public string? IdentifyToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var index = tokens.IndexOf(Presented(request));
        return index < 0 ? null : tokenNames[index];
    }

    private static string Presented(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : request.Headers["x-api-key"].ToString().Trim();

    /// <summary>
    /// A one-time sign-in link under <paramref name="codecBaseUrl"/> (the codec endpoint, <c>.../codec</c>), valid for
    /// <see cref="SignInCodeLifetime"/>: opening it gives that browser a session cookie.
    /// </summary>
    /// <exception cref="InvalidOperationException">Sign-in links are off.</exception>
    public Uri CreateSignInLink(Uri codecBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(codecBaseUrl);
        if (!SignInLinksEnabled)
        {
            throw new InvalidOperationException("Sign-in links are off: set Codec__SignInLinks=true.");
        }

        var code = NewSecret();
        codes[code] = time.GetUtcNow() + SignInCodeLifetime;
        return new Uri($"{codecBaseUrl.ToString().TrimEnd('/')}/sign-in?code={code}");
    }

    /// <summary>Redeems a sign-in code once; the new session's id, or null when the code is unknown, used or expired.</summary>
    internal string? RedeemSignInCode(string? code)
    {
        if (!SignInLinksEnabled || string.IsNullOrEmpty(code) || !codes.TryRemove(code, out var expires) || expires < time.GetUtcNow())
        {
            return null;
        }

        var session = NewSecret();
        sessions[session] = time.GetUtcNow() + SessionLifetime;
        return session;
    }

    private bool IsLive(ConcurrentDictionary<string, DateTimeOffset> store, string key)
    {
        if (!store.TryGetValue(key, out var expires))
        {
            return false;
        }

        if (expires >= time.GetUtcNow())
        {
            return true;
        }

        store.TryRemove(key, out _);
        return false;
    }

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
