namespace LeadFlow.Hosting;

/// <summary>
/// Capped exponential backoff for a loop that retries (reconnecting, probing, receiving again): each
/// <see cref="WaitAsync"/> waits the current delay, then doubles it up to the cap; <see cref="Reset"/> after a success.
/// Not thread-safe: one per loop.
/// </summary>
/// <param name="first">The first delay (e.g. 500 ms).</param>
/// <param name="max">The longest delay (e.g. 30 s).</param>
public sealed class Backoff(TimeSpan first, TimeSpan max)
{
    /// <summary>How long the next <see cref="WaitAsync"/> waits.</summary>
    public TimeSpan Next { get; private set; } = first <= max ? first : max;

    /// <summary>Waits <see cref="Next"/> (returning early, without throwing, when <paramref name="cancellationToken"/> fires), then doubles it up to the cap.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Next, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the caller's loop condition ends it.
        }

        var doubled = Next * 2;
        Next = doubled < max ? doubled : max;
    }

    /// <summary>Back to the first delay, after the retried thing worked.</summary>
    public void Reset() => Next = first <= max ? first : max;
}
