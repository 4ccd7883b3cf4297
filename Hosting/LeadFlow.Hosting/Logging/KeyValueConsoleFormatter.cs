using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace LeadFlow.Hosting.Logging;

/// <summary>
/// One line per record, scopes as <c>key=value</c>: <c>info: LeadFlow.Temporal.LeadOnboardingActivities[0] Created client 7
/// =&gt; WorkflowId=lead-e1 RunId=... Step=CreateClient Attempt=1</c>. The simple formatter renders a scope with
/// <c>ToString()</c>, which for the Temporal SDK's scopes (dictionaries) is the type name. Values are written as the
/// code logged them: personal data is masked where it is logged, as before.
/// </summary>
public sealed class KeyValueConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    /// <summary>The name to set in <c>Logging__Console__FormatterName</c> (the default of <c>AddLeadFlowConsole</c>).</summary>
    public const string FormatterName = "leadflow";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var settings = options.CurrentValue;
        var line = new StringBuilder();
        if (settings.TimestampFormat is { } format)
        {
            var now = settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            line.Append(now.ToString(format, CultureInfo.InvariantCulture));
        }

        line.Append(Level(logEntry.LogLevel)).Append(": ").Append(logEntry.Category)
            .Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ")
            .Append(OneLine(message));
        if (settings.IncludeScopes && scopeProvider is not null)
        {
            var first = true;
            scopeProvider.ForEachScope(
                (scope, builder) =>
                {
                    builder.Append(first ? " => " : " ");
                    first = false;
                    AppendScope(builder, scope);
                },
                line);
        }

        if (logEntry.Exception is { } exception)
        {
            line.Append(' ').Append(OneLine(exception.ToString()));
        }

        textWriter.WriteLine(line.ToString());
    }

    private static void AppendScope(StringBuilder line, object? scope)
    {
        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            var first = true;
            foreach (var (key, value) in pairs)
            {
                // A message-template scope ("{OriginalFormat}") is rendered by its values, not its template.
                if (key == "{OriginalFormat}")
                {
                    continue;
                }

                line.Append(first ? "" : " ").Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                first = false;
            }

            return;
        }

        if (scope is IEnumerable<KeyValuePair<string, object>> objects)
        {
            AppendScope(line, objects.Select(pair => new KeyValuePair<string, object?>(pair.Key, pair.Value)).ToList());
            return;
        }

        line.Append(scope);
    }

    private static string OneLine(string? text) => (text ?? "").Replace(Environment.NewLine, " ", StringComparison.Ordinal).Replace('\n', ' ');

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
