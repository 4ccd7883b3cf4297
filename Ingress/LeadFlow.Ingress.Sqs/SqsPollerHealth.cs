using LeadFlow.Hosting;

namespace LeadFlow.Ingress.Sqs;

/// <summary>
/// What the SQS poller's health endpoint reports (<c>Health__Url</c>, <c>GET /health/ready</c>): whether Temporal answers
/// (otherwise receiving is paused, and the messages wait in the queue) and whether receiving from the queue works
/// (otherwise credentials, network or the queue URL are wrong). Both start unhealthy until first known.
/// </summary>
public sealed class SqsPollerHealth
{
    /// <summary><c>temporal</c>: the poller's Temporal answers (DescribeNamespace); unhealthy while receiving is paused.</summary>
    public ComponentHealth Temporal { get; } = new("temporal", "asking Temporal whether it answers");

    /// <summary><c>sqs</c>: the last receive from the intake queue worked.</summary>
    public ComponentHealth Sqs { get; } = new("sqs", "not received from the queue yet");
}
