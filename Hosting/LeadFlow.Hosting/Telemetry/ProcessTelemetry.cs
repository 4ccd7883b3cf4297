using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LeadFlow.Hosting.Telemetry;

/// <summary>
/// The providers of a process-wide set-up (<see cref="LeadFlowTelemetry.StartProcessWide"/>), built when it starts.
/// Disposing flushes what is buffered and stops them.
/// </summary>
public sealed class ProcessTelemetry : IDisposable
{
    private readonly ServiceProvider services;
    private volatile bool disposed;

    internal ProcessTelemetry(ServiceProvider services)
    {
        this.services = services;
        Tracing = services.GetRequiredService<TracerProvider>();
        Metrics = services.GetRequiredService<MeterProvider>();
        LoggerProvider = new SharedLoggerProvider(services.GetServices<ILoggerProvider>().OfType<OpenTelemetryLoggerProvider>().Single(), this);
    }

    /// <summary>The tracer provider (flush it before reading an in-memory exporter).</summary>
    public TracerProvider Tracing { get; }

    /// <summary>The meter provider (<c>ForceFlush</c> before reading an in-memory exporter).</summary>
    public MeterProvider Metrics { get; }

    /// <summary>Exports the log records of every host that adds it; not disposed by the hosts.</summary>
    public ILoggerProvider LoggerProvider { get; }

    /// <summary>Flushes traces, metrics and logs; true when all three finished within <paramref name="timeoutMilliseconds"/> each.</summary>
    public bool Flush(int timeoutMilliseconds = 5000) =>
        Tracing.ForceFlush(timeoutMilliseconds) & Metrics.ForceFlush(timeoutMilliseconds) & services.GetRequiredService<OpenTelemetry.Logs.LoggerProvider>().ForceFlush(timeoutMilliseconds);

    public void Dispose()
    {
        disposed = true;
        LeadFlowTelemetry.Stopped(this);
        services.Dispose();
    }

    /// <summary>
    /// Hands the shared provider to hosts without letting a host's shutdown dispose it; a host that outlives the set-up
    /// (another stack of the process stopped it) logs nothing more through it.
    /// </summary>
    private sealed class SharedLoggerProvider(ILoggerProvider inner, ProcessTelemetry owner) : ILoggerProvider, ISupportExternalScope
    {
        public ILogger CreateLogger(string categoryName) => new GuardedLogger(inner.CreateLogger(categoryName), owner);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => (inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);

        public void Dispose()
        {
        }
    }

    private sealed class GuardedLogger(ILogger inner, ProcessTelemetry owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner.disposed ? null : inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => !owner.disposed && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!owner.disposed)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
