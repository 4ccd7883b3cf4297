namespace LeadFlow.Ingress.Codec;

/// <summary>
/// The codec server's settings (configuration section <c>Codec</c>, environment variables <c>Codec__*</c>); the keys
/// themselves are the payload encryption keys every host reads (<c>LeadFlow__Encryption__*</c>).
/// </summary>
public sealed class CodecServerOptions
{
    public const string Section = "Codec";

    /// <summary>Shortest access token accepted, so a token cannot be guessed.</summary>
    public const int MinTokenLength = 32;

    /// <summary>
    /// <c>Codec__AccessTokens__&lt;name&gt;</c>: who may call the codec, a name (logged) per token (never logged). A
    /// caller presents one as <c>Authorization: Bearer &lt;token&gt;</c> (the Temporal CLI's <c>--codec-auth</c>, a Web UI
    /// that passes a token) or as <c>x-api-key</c> (the backend's scheme). At least one is required; each at least
    /// <see cref="MinTokenLength"/> characters, e.g. <c>openssl rand -hex 32</c>.
    /// </summary>
    public Dictionary<string, string> AccessTokens { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// <c>Codec__AllowedOrigins__0</c>, <c>__1</c>, ...: the Web UI origins (scheme://host[:port]) allowed to call from a
    /// browser (CORS), e.g. <c>https://temporal.example.com</c> or <c>https://cloud.temporal.io</c>. None: no browser may call.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// <c>Codec__Namespaces__0</c>, ...: the Temporal namespaces whose payloads this server en/decodes, checked against the
    /// request's <c>X-Namespace</c> header (a request without it means the first). Default: <c>Temporal__Namespace</c>, else <c>default</c>.
    /// </summary>
    public List<string> Namespaces { get; set; } = [];

    /// <summary><c>Codec__MaxBodyBytes</c>: larger requests get 413 (default 4 MiB, Temporal's own payload size limit).</summary>
    public long MaxBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// <c>Codec__SignInLinks</c>: allow one-time sign-in links (<c>GET /codec/sign-in?code=...</c>, made by the host that
    /// starts this server, e.g. <c>leadflow up</c>, or asked for by a token holder with <c>POST /codec/sign-in-links</c>,
    /// e.g. under docker compose) that give a browser a session cookie. For a Web UI that calls over plain HTTP on this
    /// machine, which cannot pass a token (the Temporal UI passes one only to an HTTPS endpoint) but can send cookies
    /// (<c>codec.includeCredentials</c>). Default off.
    /// </summary>
    public bool SignInLinks { get; set; }

    /// <summary>What is wrong with these settings, one sentence per problem naming the variable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (AccessTokens.Count == 0)
        {
            problems.Add($"Codec__AccessTokens__<name> must give at least one access token (at least {MinTokenLength} characters, e.g. `openssl rand -hex 32`): the codec server decrypts whatever it is sent, so every call needs one");
        }

        foreach (var (name, token) in AccessTokens)
        {
            if (string.IsNullOrWhiteSpace(token) || token.Trim().Length < MinTokenLength)
            {
                problems.Add($"Codec__AccessTokens__{name} must be at least {MinTokenLength} characters");
            }
        }

        foreach (var (origin, i) in AllowedOrigins.Select((o, i) => (o, i)))
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                problems.Add($"Codec__AllowedOrigins__{i} must be an origin, scheme://host[:port] without a path or trailing slash, e.g. https://temporal.example.com (got \"{origin}\")");
            }
        }

        if (MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            problems.Add("Codec__MaxBodyBytes must be between 1024 and 67108864 (default 4194304)");
        }

        return problems;
    }
}
