namespace Capstan.Kubernetes.Cluster;

/// <summary>
/// Exponential backoff with jitter for re-lists and re-watches: the n-th consecutive failure waits a random
/// delay in [½, 1] × min(max, initial × 2ⁿ). Not thread-safe: one per watch loop.
/// </summary>
internal sealed class WatchBackoff(TimeSpan initial, TimeSpan max, Random random)
{
    private int _failures;

    /// <summary>Consecutive failures since the last <see cref="Reset"/>.</summary>
    public int Failures => _failures;

    /// <summary>The delay before the next attempt; each call counts one more failure.</summary>
    public TimeSpan Next()
    {
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var ceiling = Math.Min(max.Ticks, initial.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(ceiling * (0.5 + (random.NextDouble() * 0.5))));
    }

    public void Reset() => _failures = 0;
}
