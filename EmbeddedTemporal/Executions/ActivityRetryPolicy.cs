using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>The server-side retry rules of activities (retry policy defaults and the next-attempt decision).</summary>
internal static class ActivityRetryPolicy
{
    /// <summary>
    /// Fills what the command left out the way the server does: initial interval 1 s, backoff coefficient 2.0,
    /// maximum interval 100 x initial, unlimited attempts.
    /// </summary>
    public static RetryPolicy WithDefaults(RetryPolicy? given)
    {
        var policy = given?.Clone() ?? new RetryPolicy();
        var initial = policy.InitialInterval?.ToTimeSpan() ?? TimeSpan.Zero;
        if (initial <= TimeSpan.Zero)
        {
            initial = TimeSpan.FromSeconds(1);
            policy.InitialInterval = Duration.FromTimeSpan(initial);
        }

        if (policy.BackoffCoefficient <= 0)
        {
            policy.BackoffCoefficient = 2.0;
        }

        if (policy.MaximumInterval is null || policy.MaximumInterval.ToTimeSpan() <= TimeSpan.Zero)
        {
            policy.MaximumInterval = Duration.FromTimeSpan(initial * 100);
        }

        return policy;
    }

    /// <summary>
    /// Whether the attempt that just failed gets another one, and after how long; in the real server's order
    /// (service/history/workflow/retry.go, nextBackoffInterval, and the activity retry visitor): a non-retryable
    /// failure first, then the attempt limit, then the pause: the failure's own <c>next_retry_delay</c> when the
    /// worker set one (the SDK's ApplicationFailure nextRetryDelay), else the exponential backoff; either is capped at
    /// the policy's maximum interval (a zero or negative one becomes the maximum interval), and a retry that would
    /// start after the schedule-to-close expiration is not made.
    /// </summary>
    public static (RetryState State, TimeSpan Backoff) Next(ActivityInfo activity, Failure failure, DateTime now)
    {
        var policy = activity.RetryPolicy;
        if (IsNonRetryable(failure, policy))
        {
            return (RetryState.NonRetryableFailure, TimeSpan.Zero);
        }

        if (policy.MaximumAttempts > 0 && activity.Attempt >= policy.MaximumAttempts)
        {
            return (RetryState.MaximumAttemptsReached, TimeSpan.Zero);
        }

        var backoff = failure.ApplicationFailureInfo?.NextRetryDelay is { } requested
            ? requested.ToTimeSpan()
            : Exponential(policy, activity.Attempt);
        var maximum = policy.MaximumInterval.ToTimeSpan();
        if (backoff <= TimeSpan.Zero || backoff > maximum)
        {
            backoff = maximum;
        }

        if (activity.Expiration is { } expiration && now + backoff > expiration)
        {
            return (RetryState.Timeout, TimeSpan.Zero);
        }

        return (RetryState.InProgress, backoff);
    }

    /// <summary>initial x coefficient^(attempt - 1), uncapped (the caller caps it); saturates instead of overflowing.</summary>
    private static TimeSpan Exponential(RetryPolicy policy, int failedAttempt)
    {
        var milliseconds = policy.InitialInterval.ToTimeSpan().TotalMilliseconds * Math.Pow(policy.BackoffCoefficient, failedAttempt - 1);
        return milliseconds >= TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(milliseconds);
    }

    private static bool IsNonRetryable(Failure failure, RetryPolicy policy)
    {
        if (failure.ApplicationFailureInfo is { } application)
        {
            return application.NonRetryable || policy.NonRetryableErrorTypes.Contains(application.Type);
        }

        if (failure.TimeoutFailureInfo is { } timeout)
        {
            // The server matches timeouts as "TemporalTimeout:<TimeoutType>" against the non-retryable list.
            var name = timeout.TimeoutType switch
            {
                TimeoutType.StartToClose => "StartToClose",
                TimeoutType.Heartbeat => "Heartbeat",
                TimeoutType.ScheduleToStart => "ScheduleToStart",
                TimeoutType.ScheduleToClose => "ScheduleToClose",
                _ => "Unspecified",
            };
            return timeout.TimeoutType is TimeoutType.ScheduleToStart or TimeoutType.ScheduleToClose
                || policy.NonRetryableErrorTypes.Contains("TemporalTimeout:" + name);
        }

        return failure.CanceledFailureInfo is not null
            || failure.TerminatedFailureInfo is not null
            || failure.ServerFailureInfo?.NonRetryable == true;
    }
}
