using System.Collections.Concurrent;

namespace Capstan.Aws.Discovery;

/// <summary>
/// A small cache of AWS look-ups, each entry kept for the cache's time to live on the injected clock
/// (Karpenter's cache TTLs: 1 minute for most look-ups, 24 hours for SSM parameters, 5 minutes for instance types).
/// Concurrent callers of one missing key share one load.
/// </summary>
public sealed class TtlCache<TValue>(TimeSpan ttl, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public TimeSpan Ttl { get; } = ttl;

    /// <summary>The value cached for the key, or what <paramref name="load"/> gives (then cached for <see cref="Ttl"/>).</summary>
    public async Task<TValue> GetOrLoadAsync(string key, Func<CancellationToken, Task<TValue>> load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var cached) && cached.Until > now && cached.Task.IsCompletedSuccessfully)
        {
            return cached.Task.Result;
        }

        if (cached is not null && cached.Until > now && !cached.Task.IsCompleted)
        {
            return await cached.Task.WaitAsync(cancellationToken);
        }

        var loading = new Entry(now + Ttl, load(CancellationToken.None));
        _entries[key] = loading;
        try
        {
            return await loading.Task.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!loading.Task.IsCompletedSuccessfully && loading.Task.IsCompleted)
        {
            // A failed load is not kept: the next caller tries again.
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, loading));
            throw;
        }
    }

    /// <summary>The cached value if it is still fresh.</summary>
    public bool TryGet(string key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var cached) && cached.Until > time.GetUtcNow() && cached.Task.IsCompletedSuccessfully)
        {
            value = cached.Task.Result;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Stores a value for the key, fresh for <see cref="Ttl"/> from now.</summary>
    public void Set(string key, TValue value) => _entries[key] = new Entry(time.GetUtcNow() + Ttl, Task.FromResult(value));

    /// <summary>Forgets every entry.</summary>
    public void Clear() => _entries.Clear();

    private sealed record Entry(DateTimeOffset Until, Task<TValue> Task);
}
