using LeadFlow.Steps;

namespace LeadFlow.StepFunctions;

/// <summary>
/// How a step's retry policy reads in Amazon States Language. ASL has IntervalSeconds, BackoffRate
/// and MaxDelaySeconds like Temporal's initial interval, coefficient and maximum interval, but no
/// time window: MaxAttempts is the number of retries whose backoff pauses first add up to the window.
/// </summary>
public static class AslRetry
{
    public static int IntervalSeconds(StepRetryPolicy policy) => Seconds(Checked(policy).InitialInterval);

    public static int MaxDelaySeconds(StepRetryPolicy policy) => Seconds(Checked(policy).MaximumInterval);

    public static int MaxAttempts(StepRetryPolicy policy)
    {
        Checked(policy);
        if (policy.BackoffCoefficient < 1 || policy.InitialInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("A retry policy needs a positive initial interval and a backoff coefficient >= 1", nameof(policy));
        }

        var waited = TimeSpan.Zero;
        var pause = policy.InitialInterval;
        var attempts = 0;
        while (waited < policy.RetryWindow)
        {
            waited += pause < policy.MaximumInterval ? pause : policy.MaximumInterval;
            pause = pause < policy.MaximumInterval ? pause * policy.BackoffCoefficient : policy.MaximumInterval;
            attempts++;
        }

        return attempts;
    }

    private static StepRetryPolicy Checked(StepRetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy;
    }

    private static int Seconds(TimeSpan interval) => (int)Math.Ceiling(interval.TotalSeconds);
}
