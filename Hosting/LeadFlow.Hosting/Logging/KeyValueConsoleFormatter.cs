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
/// <c>ToString()</c>, which for the Temporal SDK's scopes (dictionaries) is the type name. A pair an outer scope already
/// wrote with the same value is not repeated (the SDK's activity scope and a step's own both name the workflow and the
/// attempt); a key that comes back with another value is written again, so the last one written is the innermost.
/// Values are written as the code logged them: personal data is masked where it is logged, as before.
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
            var scopes = new ScopeWriter(line);
            scopeProvider.ForEachScope(static (scope, writer) => writer.Append(scope), scopes);
        }

        if (logEntry.Exception is { } exception)
        {
            line.Append(' ').Append(OneLine(exception.ToString()));
        }

        textWriter.WriteLine(line.ToString());
    }

    /// <summary>Appends one record's scopes, outermost first; a pair is left out when its key's last written value is the same.</summary>
    private sealed class ScopeWriter(StringBuilder line)
    {
        private readonly Dictionary<string, string?> lastWritten = new(StringComparer.Ordinal);
        private bool started;

        public void Append(object? scope)
        {
            switch (scope)
            {
                case IEnumerable<KeyValuePair<string, object?>> pairs:
                    foreach (var (key, value) in pairs)
                    {
                        Pair(key, value);
                    }

                    break;
                default:
                    Separate().Append(scope);
                    break;
            }
        }

        private void Pair(string key, object? value)
        {
            // A message-template scope ("{OriginalFormat}") is rendered by its values, not its template.
            var text = Convert.ToString(value, CultureInfo.InvariantCulture);
            if (key != "{OriginalFormat}" && !(lastWritten.TryGetValue(key, out var last) && last == text))
            {
                lastWritten[key] = text;
                Separate().Append(key).Append('=').Append(text);
            }
        }

        private StringBuilder Separate()
        {
            line.Append(started ? " " : " => ");
            started = true;
            return line;
        }
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
