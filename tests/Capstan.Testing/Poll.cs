namespace Capstan.Testing;

/// <summary>Waiting, in real time, for something another thread or process does.</summary>
public static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every 10 ms until it holds; throws after <paramref name="patience"/> (10 s) naming <paramref name="what"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? patience = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var start = TimeProvider.System.GetTimestamp();
        var limit = patience ?? TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(start) >= limit)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
    }
}
