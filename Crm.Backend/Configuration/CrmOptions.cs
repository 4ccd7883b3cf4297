using Microsoft.Extensions.Options;

namespace LeadFlow.Crm.Backend.Configuration;

/// <summary>The <c>Crm</c> configuration section (environment variables <c>Crm__ApiKey</c>, ...).</summary>
public sealed class CrmOptions
{
    public const string Section = "Crm";

    /// <summary>The write key local mode uses when none is configured. Documented in the README; refused outside local mode.</summary>
    public const string LocalDefaultApiKey = "local-dev-key";

    /// <summary>The read key local mode uses when none is configured. Documented in the README; refused outside local mode.</summary>
    public const string LocalDefaultReadApiKey = "local-read-key";

    public const long DefaultMaxBodyBytes = 16 * 1024;

    /// <summary>
    /// <c>Crm__ApiKey</c>: the <em>write</em> key, what the worker and the step Lambdas send in <c>x-api-key</c>
    /// (creates, compensations, deletes, failure records). Required; it cannot read rows.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// <c>Crm__ReadApiKey</c>: the <em>read</em> key, for people and tools (<c>leadflow failures</c>, the OpenAPI page outside
    /// Development): reads and RUT lookups only. Required, and different from <see cref="ApiKey"/>.
    /// </summary>
    public string? ReadApiKey { get; set; }

    /// <summary>
    /// <c>Crm__LocalMode</c>: development only, an explicit opt-in (the <c>leadflow</c> CLI sets it). Without
    /// <c>ConnectionStrings__Crm</c> the backend then starts a private PostgreSQL under <see cref="LocalDataDirectory"/>, and
    /// the documented local keys are accepted. Off: a missing connection string stops start-up, and so do the local keys.
    /// </summary>
    public bool LocalMode { get; set; }

    /// <summary>Apply pending EF Core migrations at start-up.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Request bodies over this many bytes are refused with 413.</summary>
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>
    /// The shortest <see cref="IdempotencyRetention"/> allowed: the longest retry window of any step (the error step's
    /// 7 days, <c>LeadOnboardingSteps.ErrorStepRetry</c>) plus a day. A key purged while its step still retries would
    /// let the retry be answered as a first request.
    /// </summary>
    public static readonly TimeSpan MinimumIdempotencyRetention = TimeSpan.FromDays(8);

    /// <summary>
    /// <c>Crm__IdempotencyRetention</c>: idempotency records older than this are deleted (default 14 days: the longest
    /// retry window, 7 days, plus a week's margin). At least <see cref="MinimumIdempotencyRetention"/>.
    /// </summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary><c>Crm__IdempotencyPurgeInterval</c>: how often the purge runs (default 1 hour; <c>00:00:00</c> never).</summary>
    public TimeSpan IdempotencyPurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Local mode only (no connection string): the private PostgreSQL cluster's data directory.</summary>
    public string LocalDataDirectory { get; set; } = Path.Combine(".leadflow", "pgdata");
}

/// <summary>Refuses to start with settings that cannot work or that fail open, naming the environment variable and the rule.</summary>
public sealed class CrmOptionsValidator : IValidateOptions<CrmOptions>
{
    /// <summary>The shortest key accepted: 128 bits as hex (what <c>openssl rand -hex 16</c> gives).</summary>
    public const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, CrmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckKey(failures, "Crm__ApiKey", "the write key the worker and the step Lambdas send", options.ApiKey, CrmOptions.LocalDefaultApiKey, options.LocalMode);
        CheckKey(failures, "Crm__ReadApiKey", "the read key people and tools send", options.ReadApiKey, CrmOptions.LocalDefaultReadApiKey, options.LocalMode);
        if (!string.IsNullOrWhiteSpace(options.ApiKey) && string.Equals(options.ApiKey, options.ReadApiKey, StringComparison.Ordinal))
        {
            failures.Add("Crm__ReadApiKey must differ from Crm__ApiKey: one key for writes (the worker), another for reads (people and tools).");
        }

        if (options.MaxBodyBytes is < 1024 or > 10 * 1024 * 1024)
        {
            failures.Add("Crm__MaxBodyBytes must be between 1024 and 10485760.");
        }

        if (options.IdempotencyRetention < CrmOptions.MinimumIdempotencyRetention)
        {
            failures.Add($"Crm__IdempotencyRetention must be at least {CrmOptions.MinimumIdempotencyRetention.TotalDays} days (the longest step retry window, 7 days, plus a day); default 14.00:00:00.");
        }

        if (options.IdempotencyPurgeInterval != TimeSpan.Zero && (options.IdempotencyPurgeInterval < TimeSpan.FromSeconds(1) || options.IdempotencyPurgeInterval > TimeSpan.FromDays(1)))
        {
            failures.Add("Crm__IdempotencyPurgeInterval must be between 00:00:01 and 1.00:00:00, or 00:00:00 for never (default 01:00:00).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckKey(List<string> failures, string variable, string what, string? key, string localDefault, bool localMode)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            failures.Add($"{variable} is required ({what} in the x-api-key header).");
        }
        else if (!localMode && string.Equals(key, localDefault, StringComparison.Ordinal))
        {
            failures.Add($"{variable} is the published local key '{localDefault}', which is accepted only with Crm__LocalMode=true: set a secret of at least {MinimumKeyLength} characters (e.g. openssl rand -hex 16).");
        }
        else if (!localMode && key.Length < MinimumKeyLength)
        {
            failures.Add($"{variable} must be at least {MinimumKeyLength} characters outside local mode (e.g. openssl rand -hex 16).");
        }
    }
}
