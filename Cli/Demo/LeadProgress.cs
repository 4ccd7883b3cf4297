using LeadFlow.Ingress.Starting;
using LeadFlow.Ingress.Status;
using LeadFlow.Workflows;

namespace LeadFlow.Cli.Demo;

/// <summary>What the demo knows about one of its leads: the deliveries' answers and the last status read.</summary>
public sealed class LeadProgress(DemoLead lead)
{
    public DemoLead Lead { get; } = lead;

    public List<StartOutcome> Deliveries { get; } = [];

    /// <summary>Why a delivery was refused by the intake (nothing started).</summary>
    public string? DeliveryError { get; set; }

    public LeadStatusView? Last { get; set; }

    /// <summary>The trace of the lead's deliveries and everything they caused (32 hex digits); null when telemetry is off.</summary>
    public string? TraceId { get; set; }

    /// <summary>The steps seen so far, in order.</summary>
    public List<string> Steps { get; } = [];

    public bool IsFinished => DeliveryError is not null || (Last is { Lead: { } status } && status.Outcome != LeadOutcome.Running && Last.RunStatus != "Running");

    public LeadOutcome? Outcome => Last?.Lead?.Outcome;

    public string CurrentStep => DeliveryError is not null ? "not delivered" : Last?.Lead?.CurrentStep ?? (Last is null ? "submitted" : "starting");

    public TimeSpan? Duration => Last is { ClosedAt: { } closed } ? closed - Last.StartedAt : null;

    /// <summary>Notes a status read; true when the step or outcome changed.</summary>
    public bool Observe(LeadStatusView view)
    {
        var before = Describe();
        Last = view;
        if (view.Lead is { } status && (Steps.Count == 0 || Steps[^1] != status.CurrentStep))
        {
            Steps.Add(status.CurrentStep);
        }

        return before != Describe();
    }

    /// <summary>The step and state in a few words, for the live view.</summary>
    public string Describe() => IsFinished
        ? $"{Outcome?.ToString() ?? "not delivered"}" + (Last?.Lead?.Error is { } error ? $" at {error.FailedStep}" : "")
        : $"{CurrentStep}...";
}
