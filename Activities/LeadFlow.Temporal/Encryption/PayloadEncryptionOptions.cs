using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace LeadFlow.Temporal.Encryption;

/// <summary>
/// The payload encryption keys (configuration section <c>LeadFlow:Encryption</c>, environment variables
/// <c>LeadFlow__Encryption__*</c>): one active key id that new payloads are encrypted with, and every key id still
/// needed to decrypt older ones. Keys come from environment variables (<see cref="Keys"/>), from a JSON key file
/// (<see cref="KeyFile"/>), or both (merged; an id given in both must have the same key). Validated by
/// <see cref="Problems"/>; turned into an <see cref="EncryptionKeyRing"/> by <see cref="EncryptionKeyRing.From"/>.
/// </summary>
public sealed class PayloadEncryptionOptions
{
    /// <summary>The configuration section, read by every host that talks to Temporal and by the codec server.</summary>
    public const string Section = "LeadFlow:Encryption";

    /// <summary>The environment variable prefix of this section, for messages.</summary>
    public const string Variable = "LeadFlow__Encryption__";

    /// <summary>
    /// <c>LeadFlow__Encryption__ActiveKeyId</c>: the id new payloads are encrypted with; it must be one of the keys. Null or
    /// empty (and no key file): payloads are not encrypted. Overrides the key file's <c>activeKeyId</c>.
    /// </summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>
    /// <c>LeadFlow__Encryption__Keys__&lt;id&gt;</c>: base64 of 32 random bytes (AES-256) per key id. Ids are letters,
    /// digits, <c>.</c>, <c>_</c> and <c>-</c>, at most 64 characters, compared ignoring case (configuration keys are).
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// <c>LeadFlow__Encryption__KeyFile</c>: path of a JSON file <c>{"activeKeyId":"2026-01","keys":{"2026-01":"&lt;base64&gt;",...}}</c>
    /// (what <c>leadflow up</c> writes to <c>.leadflow/encryption-keys.json</c>). Read once at start.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// <c>LeadFlow__Encryption__KeyRing</c>: the key file's JSON itself (same shape as <see cref="KeyFile"/>), for a host that
    /// gets the ring from a secret store rather than a file: the ingress Lambda reads it from Secrets Manager with
    /// <c>LeadFlow__Encryption__KeyRingSecretArn</c> (LeadFlow.Aws's SecretSettings). Never put it in a plain environment variable.
    /// </summary>
    public string? KeyRing { get; set; }

    /// <summary>Whether any key is configured at all (a key file, a key ring, an active key id or a key).</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(KeyFile) || !string.IsNullOrWhiteSpace(KeyRing) || !string.IsNullOrWhiteSpace(ActiveKeyId) || Keys.Count > 0;

    /// <summary>Binds the section from <paramref name="configuration"/> (no validation: see <see cref="Problems"/>).</summary>
    public static PayloadEncryptionOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new PayloadEncryptionOptions();
        configuration.GetSection(Section).Bind(options);
        return options;
    }

    /// <summary>What is wrong with these settings, one sentence per problem naming the variable; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        _ = EncryptionKeyRing.TryBuild(this, problems);
        return problems;
    }

    /// <summary>The key file's shape (<see cref="KeyFile"/>).</summary>
    public sealed record KeyFileContent(
        [property: JsonPropertyName("activeKeyId")] string? ActiveKeyId,
        [property: JsonPropertyName("keys")] Dictionary<string, string>? Keys)
    {
        /// <summary>Reads a key ring given as JSON text (<see cref="KeyRing"/>); null with a problem added when it is not one. Never quotes the text.</summary>
        internal static KeyFileContent? Parse(string json, List<string> problems)
        {
            try
            {
                return JsonSerializer.Deserialize<KeyFileContent>(json) ?? throw new JsonException("the text is null");
            }
            catch (JsonException)
            {
                problems.Add($"{Variable}KeyRing is not a key ring {{\"activeKeyId\":\"<id>\",\"keys\":{{\"<id>\":\"<base64 of 32 bytes>\"}}}} (the secret's text, if it comes from {Variable}KeyRingSecretArn)");
                return null;
            }
        }

        /// <summary>Reads a key file; null with a problem added when it cannot be read.</summary>
        internal static KeyFileContent? Read(string path, List<string> problems)
        {
            try
            {
                return JsonSerializer.Deserialize<KeyFileContent>(File.ReadAllBytes(path))
                    ?? throw new JsonException("the file holds null");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{Variable}KeyFile names a file that cannot be read ({path}): {e.Message}");
            }
            catch (JsonException e)
            {
                problems.Add($"{Variable}KeyFile ({path}) is not a key file {{\"activeKeyId\":\"<id>\",\"keys\":{{\"<id>\":\"<base64 of 32 bytes>\"}}}}: {e.Message}");
            }

            return null;
        }
    }
}
