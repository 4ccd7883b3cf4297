namespace LeadFlow.Hosting;

/// <summary>
/// Which exceptions a host's loop must not survive. Everything else (an SDK's client exception, a refused connection,
/// a bug in one message's handling) is logged and retried with backoff, so one unexpected error never stops a host.
/// </summary>
public static class FatalExceptions
{
    /// <summary>
    /// True for the runtime's own failures, after which the process state cannot be trusted: out of memory, a corrupted
    /// stack or memory (<see cref="InsufficientExecutionStackException"/>, <see cref="AccessViolationException"/>).
    /// The process should die and be restarted (compose: <c>restart: unless-stopped</c>).
    /// </summary>
    public static bool IsFatal(Exception exception) =>
        exception is OutOfMemoryException or InsufficientExecutionStackException or AccessViolationException;
}
