using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LeadFlow.Hosting;

/// <summary>
/// The health of one part of a host (the worker's Temporal poller, its CRM backend, the SQS poller's queue), set by the
/// loop that knows it and read by the health endpoint as a registered <see cref="IHealthCheck"/>. Thread-safe. An
/// unhealthy streak keeps the time it began, so the answer says since when a part has been down.
/// </summary>
/// <param name="name">The check's name in the health answer, e.g. <c>temporal</c>.</param>
/// <param name="initially">What the part is doing before its loop first reports, e.g. <c>connecting to Temporal</c>: unhealthy until then.</param>
public sealed class ComponentHealth(string name, string initially) : IHealthCheck
{
    private readonly Lock _gate = new();
    private State _state = new(HealthStatus.Unhealthy, initially, DateTimeOffset.UtcNow, null);

    /// <summary>The check's name, e.g. <c>temporal</c>.</summary>
    public string Name { get; } = name;

    /// <summary>True while the part works.</summary>
    public bool IsHealthy
    {
        get
        {
            lock (_gate)
            {
                return _state.Status == HealthStatus.Healthy;
            }
        }
    }

    /// <summary>The current description, e.g. <c>polling task queue lead-onboarding</c>.</summary>
    public string Description
    {
        get
        {
            lock (_gate)
            {
                return _state.Description;
            }
        }
    }

    /// <summary>The part works; <paramref name="description"/> says what it does.</summary>
    /// <returns>True when this changed the part from unhealthy to healthy (callers log transitions, not every probe).</returns>
    public bool Healthy(string description) => Set(HealthStatus.Healthy, description, null);

    /// <summary>The part cannot do its job; <paramref name="description"/> says why, in words a person can act on.</summary>
    /// <returns>True when this changed the part from healthy to unhealthy.</returns>
    public bool Unhealthy(string description, Exception? exception = null) => Set(HealthStatus.Unhealthy, description, exception);

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        State state;
        lock (_gate)
        {
            state = _state;
        }

        var data = new Dictionary<string, object> { ["since"] = state.Since.ToString("O", CultureInfo.InvariantCulture) };
        return Task.FromResult(new HealthCheckResult(state.Status, state.Description, state.Exception, data));
    }

    private bool Set(HealthStatus status, string description, Exception? exception)
    {
        lock (_gate)
        {
            var changed = _state.Status != status;
            _state = new State(status, description, changed ? DateTimeOffset.UtcNow : _state.Since, exception);
            return changed;
        }
    }

    private sealed record State(HealthStatus Status, string Description, DateTimeOffset Since, Exception? Exception);
}
