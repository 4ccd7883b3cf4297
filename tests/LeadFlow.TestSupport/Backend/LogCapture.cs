using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LeadFlow.TestSupport;

public sealed record CapturedLog(string Category, LogLevel Level, string Message, string? Exception);

/// <summary>Keeps every log line of a hosted backend in memory, so tests can assert on what was (not) logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> entries = new();

    public IReadOnlyList<CapturedLog> Entries => entries.ToArray();

    /// <summary>Every captured message and exception, one per line.</summary>
    public string AllText => string.Join('\n', entries.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception}"));

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The raw state too: a structured value that the message template does not print still counts as logged.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            entries.Enqueue(new CapturedLog(category, logLevel, $"{formatter(state, exception)} [{values}]", exception?.ToString()));
        }
    }
}
