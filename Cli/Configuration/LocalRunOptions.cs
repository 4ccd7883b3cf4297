using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace LeadFlow.Cli.Configuration;

/// <summary>How to find or start Temporal for a local run.</summary>
public enum TemporalMode
{
    /// <summary><c>TEMPORAL_ADDRESS</c>, else the <c>temporal</c> CLI, else the SDK's dev server, else the embedded server.</summary>
    Auto,

    /// <summary>The project's in-memory server: offline, no Web UI, state lost on exit.</summary>
    Embedded,

    /// <summary>Only <c>temporal server start-dev</c> from the PATH.</summary>
    Cli,

    /// <summary>Only the SDK's downloadable dev server.</summary>
    DevServer,
}

/// <summary>
/// The local run of <c>demo</c> and <c>up</c> (configuration section <c>LeadFlow</c>, environment variables
/// <c>LeadFlow__*</c>). A null port or directory means: the verb's own default (see each property).
/// </summary>
public sealed class LocalRunOptions
{
    public const string Section = "LeadFlow";

    /// <summary><c>LeadFlow__Temporal</c>: Auto (default), Embedded, Cli or DevServer (case does not matter).</summary>
    public TemporalMode Temporal { get; set; } = TemporalMode.Auto;

    /// <summary><c>LeadFlow__DevServerStartTimeout</c>: how long the SDK's dev server may take to download and start before it is skipped (default 00:00:15).</summary>
    public TimeSpan DevServerStartTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// <c>LeadFlow__TemporalUiUrl</c>: the Temporal Web UI of the server named by <c>TEMPORAL_ADDRESS</c> (e.g.
    /// <c>http://localhost:8080</c> for docker compose), for the links <c>up</c> and <c>demo</c> print. Default none.
    /// The servers a run starts itself (temporal CLI, SDK dev server, embedded) report their own.
    /// </summary>
    public Uri? TemporalUiUrl { get; set; }

    /// <summary><c>LeadFlow__TemporalPort</c>: port of a Temporal server this run starts (up: 7233 when free; demo: a free port).</summary>
    public int? TemporalPort { get; set; }

    /// <summary><c>LeadFlow__BackendPort</c>: the CRM backend's port on 127.0.0.1 (up: 5080; demo: a free port).</summary>
    public int? BackendPort { get; set; }

    /// <summary><c>LeadFlow__IntakePort</c>: the HTTP intake's (and web form's) port on 127.0.0.1 (up: 5090; demo: a free port).</summary>
    public int? IntakePort { get; set; }

    /// <summary><c>LeadFlow__Dashboard</c>: start the Aspire dashboard and send it every part's traces, metrics and logs (default true; <c>--no-dashboard</c> turns it off).</summary>
    public bool Dashboard { get; set; } = true;

    /// <summary><c>LeadFlow__DashboardPort</c>: the Aspire dashboard's UI port on 127.0.0.1 (up: 18888 when free; demo: a free port).</summary>
    public int? DashboardPort { get; set; }

    /// <summary><c>LeadFlow__DashboardPath</c>: the Aspire dashboard executable (default: the one the build downloaded).</summary>
    public string? DashboardPath { get; set; }

    /// <summary><c>LeadFlow__CodecPort</c>: the codec server's port on 127.0.0.1, for the Temporal Web UI (up: 5091; demo: a free port).</summary>
    public int? CodecPort { get; set; }

    /// <summary><c>LeadFlow__DataDirectory</c>: the private PostgreSQL's data (up: .leadflow/pgdata, kept; demo: a temporary directory, deleted on exit).</summary>
    public string? DataDirectory { get; set; }

    /// <summary><c>LeadFlow__DemoTimeout</c>: how long the demo waits for its leads to finish (default 00:02:00).</summary>
    public TimeSpan DemoTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Binds the section from environment variables (and anything else in <paramref name="configuration"/>) and validates it.</summary>
    /// <exception cref="OptionsException">A setting cannot work; the message names the variable.</exception>
    public static LocalRunOptions From(IConfiguration configuration)
    {
        var options = new LocalRunOptions();
        try
        {
            configuration.GetSection(Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsException($"A LeadFlow__* setting has a value of the wrong kind: {e.InnerException?.Message ?? e.Message}");
        }

        options.Validate();
        return options;
    }

    public void Validate()
    {
        var failures = new List<string>();
        CheckPort(TemporalPort, nameof(TemporalPort), failures);
        CheckPort(BackendPort, nameof(BackendPort), failures);
        CheckPort(IntakePort, nameof(IntakePort), failures);
        CheckPort(CodecPort, nameof(CodecPort), failures);
        CheckPort(DashboardPort, nameof(DashboardPort), failures);
        if (TemporalUiUrl is { } ui && (!ui.IsAbsoluteUri || (ui.Scheme != Uri.UriSchemeHttp && ui.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"LeadFlow__TemporalUiUrl must be an http(s) address of the Temporal Web UI, e.g. http://localhost:8080, got '{ui}'.");
        }

        if (DevServerStartTimeout <= TimeSpan.Zero || DevServerStartTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("LeadFlow__DevServerStartTimeout must be between 00:00:01 and 00:10:00 (default 00:00:15).");
        }

        if (DemoTimeout <= TimeSpan.Zero || DemoTimeout > TimeSpan.FromHours(1))
        {
            failures.Add("LeadFlow__DemoTimeout must be between 00:00:01 and 01:00:00 (default 00:02:00).");
        }

        if (failures.Count > 0)
        {
            throw new OptionsException(string.Join(Environment.NewLine, failures));
        }
    }

    private static void CheckPort(int? port, string name, List<string> failures)
    {
        if (port is < 0 or > 65535)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"LeadFlow__{name} must be a TCP port 0-65535 (0 = any free port), got {port}."));
        }
    }
}

/// <summary>A setting that cannot work, phrased for the person who has to fix it.</summary>
public sealed class OptionsException(string message) : Exception(message);
