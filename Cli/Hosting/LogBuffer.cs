using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LeadFlow.Cli.Hosting;

/// <summary>
/// Keeps the in-process services' log lines (warnings and up, or everything with <c>--verbose</c>) off the
/// screen the demo draws on; the last ones are shown when something goes wrong, and all of them with <c>--verbose</c>.
/// </summary>
public sealed class LogBuffer(LogLevel minimum, TextWriter? echo) : ILoggerProvider
{
    private const int Capacity = 2000;
    private readonly ConcurrentQueue<string> lines = new();
    private readonly LogLevel minimumLevel = minimum;

    public IReadOnlyList<string> Lines => [.. lines];

    public ILogger CreateLogger(string categoryName) => new BufferLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lines.Enqueue(line);
        while (lines.Count > Capacity && lines.TryDequeue(out _))
        {
        }

        echo?.WriteLine(line);
    }

    private sealed class BufferLogger(LogBuffer buffer, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= buffer.minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var shortCategory = category[(category.LastIndexOf('.') + 1)..];
            var error = exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})";
            buffer.Add($"{DateTime.Now:HH:mm:ss} {logLevel.ToString()[..4].ToLowerInvariant()} {shortCategory}: {formatter(state, exception)}{error}");
        }
    }

}
