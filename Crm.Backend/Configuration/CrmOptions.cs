using Microsoft.Extensions.Options;

namespace LeadFlow.Crm.Backend.Configuration;

/// <summary>The <c>Crm</c> configuration section (environment variables <c>Crm__ApiKey</c>, ...).</summary>
public sealed class CrmOptions
{
    public const string Section = "Crm";

    /// <summary>The API key local mode uses when none is configured. Documented in the README; never for production.</summary>
    public const string LocalDefaultApiKey = "local-dev-key";

    public const long DefaultMaxBodyBytes = 16 * 1024;

    /// <summary>The value callers send in <c>x-api-key</c>. Required outside local mode.</summary>
    public string? ApiKey { get; set; }

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

/// <summary>Refuses to start with settings that cannot work, naming the environment variable to fix.</summary>
public sealed class CrmOptionsValidator : IValidateOptions<CrmOptions>
{
    public ValidateOptionsResult Validate(string? name, CrmOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add("Crm__ApiKey is required (the value clients send in the x-api-key header).");
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
}
