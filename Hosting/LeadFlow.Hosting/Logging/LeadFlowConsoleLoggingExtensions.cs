using LeadFlow.Hosting.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;

namespace Microsoft.Extensions.Logging;

public static class LeadFlowConsoleLoggingExtensions
{
    /// <summary>
    /// The console log of every LeadFlow service: one line per record with scopes as <c>key=value</c>
    /// (<see cref="KeyValueConsoleFormatter"/>), unless <c>Logging__Console__FormatterName</c> names another formatter
    /// (<c>json</c> for a log collector, <c>simple</c>, <c>systemd</c>). Every formatter writes the scopes (workflow and run
    /// ids, step, attempt, trace id): they are what ties a line to its lead.
    /// </summary>
    public static ILoggingBuilder AddLeadFlowConsole(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.AddConsole();
        logging.AddConsoleFormatter<KeyValueConsoleFormatter, ConsoleFormatterOptions>(options => options.IncludeScopes = true);
        logging.Services.Configure<JsonConsoleFormatterOptions>(options => options.IncludeScopes = true);
        logging.Services.Configure<SimpleConsoleFormatterOptions>(options => options.IncludeScopes = true);
        logging.Services.Configure<ConsoleFormatterOptions>(options => options.IncludeScopes = true);
        logging.Services.PostConfigure<ConsoleLoggerOptions>(options =>
        {
            if (string.IsNullOrEmpty(options.FormatterName))
            {
                options.FormatterName = KeyValueConsoleFormatter.FormatterName;
            }
        });
        return logging;
    }
}
