namespace LeadFlow.Worker;

/// <summary>Where the Temporal server is (configuration section <c>Temporal</c>).</summary>
public sealed class TemporalOptions
{
    public const string Section = "Temporal";

    /// <summary><c>Temporal__Address</c>: host:port of the Temporal frontend.</summary>
    public string Address { get; set; } = "localhost:7233";

    /// <summary><c>Temporal__Namespace</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary><c>Temporal__TaskQueue</c>: the queue lead workflows are started on.</summary>
    public string TaskQueue { get; set; } = LeadFlow.Workflows.LeadOnboardingWorkflow.DefaultTaskQueue;
}
