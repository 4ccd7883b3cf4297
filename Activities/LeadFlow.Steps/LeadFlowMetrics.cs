using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LeadFlow.Steps;

/// <summary>
/// The product's own metrics (meter <see cref="MeterName"/>), named after OpenTelemetry's semantic conventions
/// (lower-case dotted names, units in UCUM, attributes instead of one instrument per value). The README's
/// "Observability" section lists them. Attributes carry step names, outcomes and error types, never personal data.
/// </summary>
public static class LeadFlowMetrics
{
    /// <summary>Add this meter to a meter provider.</summary>
    public const string MeterName = "LeadFlow";

    /// <summary>Attribute: the step (<see cref="LeadOnboardingSteps"/>).</summary>
    public const string StepAttribute = "leadflow.step";

    /// <summary>Attribute: how a lead ended (<c>completed</c>, <c>rejected</c>, <c>failed</c>, <c>cancelled</c>).</summary>
    public const string OutcomeAttribute = "leadflow.lead.outcome";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Started = Meter.CreateCounter<long>("leadflow.leads.started", "{lead}", "Lead runs started (counted once per run, not on replay)");
    private static readonly Counter<long> Ended = Meter.CreateCounter<long>("leadflow.leads.ended", "{lead}", "Lead runs ended, by leadflow.lead.outcome");
    private static readonly Counter<long> Compensated = Meter.CreateCounter<long>("leadflow.leads.compensated", "{lead}", "Failed lead runs whose error step undid at least one row");
    private static readonly Counter<long> RowsKept = Meter.CreateCounter<long>("leadflow.compensation.rows_kept", "{row}", "Rows an undo kept because another lead run relies on them, or because they were stored before the run");
    private static readonly Histogram<double> StepDuration = Meter.CreateHistogram(
        "leadflow.step.duration",
        "s",
        "Duration of one step attempt, by leadflow.step and error.type (absent when it succeeded)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });

    private static readonly Counter<long> IngressStarts = Meter.CreateCounter<long>("leadflow.ingress.starts", "{lead}", "Events that started a lead run (the resource's service.name says which ingress)");
    private static readonly Counter<long> IngressDuplicates = Meter.CreateCounter<long>("leadflow.ingress.duplicates", "{event}", "Events whose lead run already existed (redeliveries, double submits)");
    private static readonly Counter<long> IngressDeadLetters = Meter.CreateCounter<long>("leadflow.ingress.dead_letters", "{message}", "Deliveries set aside for a person (unreadable, or refused for good)");

    /// <summary>A lead run started (call once per run: in workflow code, only when not replaying).</summary>
    public static void LeadStarted() => Started.Add(1);

    /// <summary>A lead run ended with <paramref name="outcome"/> (in workflow code, only when not replaying).</summary>
    public static void LeadEnded(string outcome) => Ended.Add(1, new KeyValuePair<string, object?>(OutcomeAttribute, outcome.ToLowerInvariant()));

    /// <summary>The error step's undo: counts the lead as compensated when it deleted a row, and the rows it kept.</summary>
    public static void Compensation(IReadOnlyList<StepCompensation> compensations)
    {
        ArgumentNullException.ThrowIfNull(compensations);
        if (compensations.Any(c => c.Outcome == Crm.CompensationOutcomes.Deleted))
        {
            Compensated.Add(1);
        }

        foreach (var kept in compensations.Where(c => c.Outcome == Crm.CompensationOutcomes.Kept))
        {
            RowsKept.Add(1, new KeyValuePair<string, object?>(StepAttribute, kept.Step));
        }
    }

    /// <summary>One step attempt took <paramref name="elapsed"/>; <paramref name="errorType"/> is null when it succeeded.</summary>
    public static void StepAttempt(string step, TimeSpan elapsed, string? errorType)
    {
        var tags = new TagList { { StepAttribute, step } };
        if (errorType is not null)
        {
            tags.Add(SpanFailure.ErrorTypeAttribute, errorType);
        }

        StepDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>An event started a lead run.</summary>
    public static void IngressStarted() => IngressStarts.Add(1);

    /// <summary>An event's lead run already existed.</summary>
    public static void IngressDuplicate() => IngressDuplicates.Add(1);

    /// <summary>A delivery was set aside (dead-letter queue, poison queue, failed batch item).</summary>
    public static void IngressDeadLettered() => IngressDeadLetters.Add(1);
}
