using Capstan.Core.Cluster;

namespace Capstan.Kubernetes.Cluster;

/// <summary>
/// One kind of the cluster cache held by key: written under the cache's lock, read without it (a sorted list
/// published on change), and every change that its view shows (by <see cref="ValueEquality"/>) published on the feed.
/// </summary>
internal sealed class ResourceCollection<T>(ClusterObjectKind kind, Func<T, string> keyOf, ClusterChangeFeed feed)
    where T : class
{
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<T> _published = [];

    /// <summary>The items, sorted by key (ordinal).</summary>
    public IReadOnlyList<T> Items => _published;

    /// <summary>Replaces the contents with what a list returned (under the cache's lock).</summary>
    public void ReplaceLocked(IEnumerable<T> items)
    {
        var fresh = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            fresh[keyOf(item)] = item;
        }

        var changes = new List<ClusterChange>();
        foreach (var key in _items.Keys.Where(k => !fresh.ContainsKey(k)).ToList())
        {
            Add(changes, Remove(key));
        }

        foreach (var (key, item) in fresh)
        {
            Add(changes, Upsert(key, item));
        }

        Publish(changes);
    }

    /// <summary>Applies an ADDED or MODIFIED item (under the cache's lock).</summary>
    public void UpsertLocked(T item) => Publish(Upsert(keyOf(item), item));

    /// <summary>Applies a DELETED item (under the cache's lock).</summary>
    public void RemoveLocked(string key) => Publish(Remove(key));

    private static void Add(List<ClusterChange> changes, ClusterChange? change)
    {
        if (change is not null)
        {
            changes.Add(change);
        }
    }

    private ClusterChange? Upsert(string key, T item)
    {
        var existed = _items.TryGetValue(key, out var current);
        if (existed && ValueEquality.AreEqual(current, item))
        {
            return null;
        }

        _items[key] = item;
        return ClusterChange.Of(kind, existed ? ClusterChangeType.Updated : ClusterChangeType.Added, key);
    }

    private ClusterChange? Remove(string key) =>
        _items.Remove(key) ? ClusterChange.Of(kind, ClusterChangeType.Deleted, key) : null;

    /// <summary>Publishes the list first, then the changes, so a woken subscriber reads the new state.</summary>
    private void Publish(params IReadOnlyList<ClusterChange?> changes)
    {
        if (changes.All(c => c is null))
        {
            return;
        }

        _published = [.. _items.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => i.Value)];
        foreach (var change in changes)
        {
            if (change is not null)
            {
                feed.Publish(change);
            }
        }
    }
}
