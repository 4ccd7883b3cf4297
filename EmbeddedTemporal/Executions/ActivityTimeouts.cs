using Temporalio.Api.Command.V1;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>The four activity timeouts after the server filled in what the command left out.</summary>
internal sealed record ActivityTimeouts(TimeSpan ScheduleToClose, TimeSpan ScheduleToStart, TimeSpan StartToClose, TimeSpan Heartbeat)
{
    /// <summary>
    /// The real server's deduction: schedule-to-close bounds the others; without it, it falls back to the
    /// workflow run timeout (zero = unbounded) and schedule-to-start to schedule-to-close; at least one of
    /// start-to-close or schedule-to-close is required. Nothing may exceed the run timeout, and the heartbeat
    /// timeout never exceeds start-to-close. Null means the command is invalid.
    /// </summary>
    public static ActivityTimeouts? Resolve(ScheduleActivityTaskCommandAttributes command, TimeSpan runTimeout)
    {
        var scheduleToClose = Positive(command.ScheduleToCloseTimeout?.ToTimeSpan());
        var scheduleToStart = Positive(command.ScheduleToStartTimeout?.ToTimeSpan());
        var startToClose = Positive(command.StartToCloseTimeout?.ToTimeSpan());
        var heartbeat = Positive(command.HeartbeatTimeout?.ToTimeSpan());

        if (scheduleToClose > TimeSpan.Zero)
        {
            scheduleToStart = scheduleToStart > TimeSpan.Zero ? Min(scheduleToStart, scheduleToClose) : scheduleToClose;
            startToClose = startToClose > TimeSpan.Zero ? Min(startToClose, scheduleToClose) : scheduleToClose;
        }
        else if (startToClose > TimeSpan.Zero)
        {
            scheduleToClose = runTimeout;
            if (scheduleToStart == TimeSpan.Zero)
            {
                scheduleToStart = scheduleToClose;
            }
        }
        else
        {
            return null;
        }

        if (runTimeout > TimeSpan.Zero)
        {
            scheduleToClose = scheduleToClose == TimeSpan.Zero ? runTimeout : Min(scheduleToClose, runTimeout);
            scheduleToStart = scheduleToStart == TimeSpan.Zero ? runTimeout : Min(scheduleToStart, runTimeout);
            startToClose = Min(startToClose, runTimeout);
        }

        heartbeat = startToClose > TimeSpan.Zero ? Min(heartbeat, startToClose) : heartbeat;
        return new ActivityTimeouts(scheduleToClose, scheduleToStart, startToClose, heartbeat);
    }

    private static TimeSpan Positive(TimeSpan? value) => value is { } span && span > TimeSpan.Zero ? span : TimeSpan.Zero;

    private static TimeSpan Min(TimeSpan left, TimeSpan right) => left < right ? left : right;
}
