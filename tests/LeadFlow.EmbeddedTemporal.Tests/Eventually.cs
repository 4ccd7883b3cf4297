namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>Waits for a condition on a busy machine: generous deadline, short polls, never a fixed sleep as an assertion.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The first non-null result of <paramref name="probe"/>; fails the test after the timeout.</summary>
    public static async Task<T> FindAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting for {what ?? "the condition"} after {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }
}
