using System.Collections.Concurrent;

namespace Capstan.Aws.Offerings;

/// <summary>
/// Offerings EC2 recently could not fill (insufficient capacity, spot interruptions), keyed
/// <c>capacityType:instanceType:zone</c>, each unavailable for <see cref="Ttl"/> (3 minutes; marking it again extends
/// it). Instance types read through it report such offerings unavailable, so the next plan avoids them.
/// </summary>
public sealed class UnavailableOfferings(TimeProvider time)
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(3);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _version;

    public TimeSpan Ttl { get; init; } = DefaultTtl;

    /// <summary>Changes whenever an offering is marked, so callers can tell their cached offerings are stale.</summary>
    public long Version => Interlocked.Read(ref _version);

    public static string Key(string capacityType, string instanceType, string zone) => $"{capacityType}:{instanceType}:{zone}";

    /// <summary>Marks the offering unavailable for <see cref="Ttl"/> from now.</summary>
    public void MarkUnavailable(string capacityType, string instanceType, string zone, string reason)
    {
        _entries[Key(capacityType, instanceType, zone)] = new Entry(time.GetUtcNow() + Ttl, reason);
        Interlocked.Increment(ref _version);
    }

    public bool IsUnavailable(string capacityType, string instanceType, string zone)
    {
        var key = Key(capacityType, instanceType, zone);
        if (!_entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        if (entry.Until > time.GetUtcNow())
        {
            return true;
        }

        _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        return false;
    }

    /// <summary>The offerings marked now, with why and until when (for logs and <c>capstan doctor</c>).</summary>
    public IReadOnlyList<(string Key, string Reason, DateTimeOffset Until)> Current()
    {
        var now = time.GetUtcNow();
        return [.. _entries.Where(e => e.Value.Until > now).Select(e => (e.Key, e.Value.Reason, e.Value.Until)).OrderBy(e => e.Key, StringComparer.Ordinal)];
    }

    private sealed record Entry(DateTimeOffset Until, string Reason);
}
