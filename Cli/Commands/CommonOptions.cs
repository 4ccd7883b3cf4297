using System.CommandLine;
using LeadFlow.Cli.Configuration;
using LeadFlow.Crm.Backend.Configuration;
using Microsoft.Extensions.Configuration;

namespace LeadFlow.Cli.Commands;

/// <summary>The options several verbs share; every default comes from an environment variable, then a local default.</summary>
public sealed class CommonOptions(IConfiguration configuration)
{
    public const string DefaultIntakeUrl = "http://localhost:5090";
    public const string DefaultBackendUrl = "http://localhost:5080";

    public Option<Uri> Intake { get; } = new("--intake")
    {
        CustomParser = AbsoluteUrl,
        Description = $"The HTTP intake's address (env LeadFlow__IntakeUrl, default {DefaultIntakeUrl})",
        DefaultValueFactory = _ => new Uri(configuration["LeadFlow:IntakeUrl"] is { Length: > 0 } url ? url : DefaultIntakeUrl),
    };

    public Option<string?> IntakeApiKey { get; } = new("--intake-api-key")
    {
        Description = "The intake's API key when it has one (env Ingress__ApiKey, default none)",
        DefaultValueFactory = _ => configuration["Ingress:ApiKey"] is { Length: > 0 } key ? key : null,
    };

    public Option<Uri> Backend { get; } = new("--backend")
    {
        CustomParser = AbsoluteUrl,
        Description = $"The CRM backend's address (env LeadFlow__BackendUrl, default {DefaultBackendUrl})",
        DefaultValueFactory = _ => new Uri(configuration["LeadFlow:BackendUrl"] is { Length: > 0 } url ? url : DefaultBackendUrl),
    };

    /// <summary>The backend's read key: the verbs read with it; only <c>compensate --execute</c> needs <see cref="WriteKey"/>.</summary>
    public Option<string> ApiKey { get; } = new("--api-key")
    {
        Description = $"The CRM backend's read key (env Crm__ReadApiKey, default the local read key '{CrmOptions.LocalDefaultReadApiKey}')",
        DefaultValueFactory = _ => configuration["Crm:ReadApiKey"] is { Length: > 0 } key ? key : CrmOptions.LocalDefaultReadApiKey,
    };

    /// <summary>The backend's write key, for <c>compensate --execute</c> only (its undo is a write).</summary>
    public Option<string> WriteKey { get; } = new("--write-key")
    {
        Description = $"The CRM backend's write key, for compensate --execute (env Crm__ApiKey, default the local write key '{CrmOptions.LocalDefaultApiKey}')",
        DefaultValueFactory = _ => configuration["Crm:ApiKey"] is { Length: > 0 } key ? key : CrmOptions.LocalDefaultApiKey,
    };

    public Option<TemporalMode?> Temporal { get; } = new("--temporal")
    {
        Description = "Which Temporal to use: Auto, Embedded, Cli or DevServer (env LeadFlow__Temporal, default Auto: TEMPORAL_ADDRESS, temporal CLI, SDK dev server, embedded)",
    };

    public Option<string?> DataDirectory { get; } = new("--data-dir")
    {
        Description = "The private PostgreSQL's data directory (env LeadFlow__DataDirectory; up: .leadflow/pgdata, demo: a temporary one)",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show the services' log lines (information and up) on standard error",
    };

    public Option<bool> NoDashboard { get; } = new("--no-dashboard")
    {
        Description = "Do not start the Aspire dashboard (env LeadFlow__Dashboard=false); traces, metrics and logs then go to OTEL_EXPORTER_OTLP_ENDPOINT when set, else nowhere",
    };

    public IConfiguration Configuration => configuration;

    private static Uri? AbsoluteUrl(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }

        result.AddError($"'{text}' is not an http(s) address, e.g. {DefaultIntakeUrl}");
        return null;
    }

    /// <summary>The verb's <see cref="LocalRunOptions"/>: the <c>LeadFlow__*</c> variables, then the command-line options.</summary>
    public LocalRunOptions RunOptions(ParseResult parse)
    {
        var options = LocalRunOptions.From(configuration);
        if (parse.GetValue(Temporal) is { } mode)
        {
            options.Temporal = mode;
        }

        if (parse.GetValue(NoDashboard))
        {
            options.Dashboard = false;
        }

        if (parse.GetValue(DataDirectory) is { Length: > 0 } directory)
        {
            options.DataDirectory = directory;
        }

        return options;
    }
}
