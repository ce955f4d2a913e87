using System.Collections;

namespace Capstan.Core.Scheduling;

/// <summary>
/// An immutable AND of requirements, at most one per key (adding a second requirement on a key
/// intersects it with the first). Kept sorted by key.
/// </summary>
public sealed class Requirements : IReadOnlyCollection<Requirement>, IEquatable<Requirements>
{
    private readonly Requirement[] _items;

    public static readonly Requirements Empty = new([]);

    private Requirements(Requirement[] items) => _items = items;

    public int Count => _items.Length;

    public IEnumerable<string> Keys => _items.Select(r => r.Key);

    public static Requirements Create(IEnumerable<Requirement> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        var items = requirements.ToArray();
        if (items.Length == 0)
        {
            return Empty;
        }

        // Sorted by key, stably, so that requirements on one key are intersected in the order given: an insertion
        // sort for the few a selector or a label set holds, the ordered sort past that.
        if (items.Length > 16)
        {
            items = [.. items.OrderBy(r => r.Key, StringComparer.Ordinal)];
        }
        else
        {
            for (var i = 1; i < items.Length; i++)
            {
                var item = items[i];
                var j = i - 1;
                for (; j >= 0 && string.CompareOrdinal(items[j].Key, item.Key) > 0; j--)
                {
                    items[j + 1] = items[j];
                }

                items[j + 1] = item;
            }
        }

        var count = 0;
        foreach (var item in items)
        {
            if (count > 0 && items[count - 1].Key == item.Key)
            {
                items[count - 1] = items[count - 1].Intersect(item);
            }
            else
            {
                items[count++] = item;
            }
        }

        return new Requirements(count == items.Length ? items : items[..count]);
    }

    public static Requirements Create(params Requirement[] requirements) => Create((IEnumerable<Requirement>)requirements);

    /// <summary>Each label as <c>key In [value]</c>.</summary>
    public static Requirements FromLabels(IEnumerable<KeyValuePair<string, string>> labels) =>
        Create(labels.Select(l => Requirement.In(l.Key, l.Value)));

    public Requirement? Get(string key)
    {
        int lo = 0, hi = _items.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var cmp = string.CompareOrdinal(_items[mid].Key, key);
            if (cmp == 0)
            {
                return _items[mid];
            }

            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return null;
    }

    public bool Has(string key) => Get(key) is not null;

    /// <summary>Both sets of requirements at once (per-key intersection).</summary>
    public Requirements Intersect(Requirements other)
    {
        if (other._items.Length == 0)
        {
            return this;
        }

        if (_items.Length == 0)
        {
            return other;
        }

        return Create(_items.Concat(other._items));
    }

    /// <summary>
    /// Null when every key that both sides constrain has a value both allow; otherwise the reason.
    /// Keys only one side constrains are ignored (used against instance types, which carry only
    /// well-known keys).
    /// </summary>
    public string? FirstConflict(Requirements other) =>
        ConflictAt(other) is ({ } mine, { } theirs) ? $"{theirs} does not match {mine}" : null;

    public bool Intersects(Requirements other) => ConflictAt(other).Mine is null;

    /// <summary>The first shared key whose two requirements allow no common value; nulls when there is none.</summary>
    private (Requirement? Mine, Requirement? Theirs) ConflictAt(Requirements other)
    {
        int i = 0, j = 0;
        while (i < _items.Length && j < other._items.Length)
        {
            var cmp = string.CompareOrdinal(_items[i].Key, other._items[j].Key);
            if (cmp == 0)
            {
                if (!_items[i].Intersects(other._items[j]))
                {
                    return (_items[i], other._items[j]);
                }

                i++;
                j++;
            }
            else if (cmp < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (null, null);
    }

    /// <summary>
    /// Karpenter's compatibility rule, with <c>this</c> being what a node (template) offers and
    /// <paramref name="incoming"/> what a pod asks for: shared keys must intersect; a custom (not
    /// well-known) key the node does not define may only be asked for with NotIn or DoesNotExist.
    /// Returns null when compatible, otherwise the reason.
    /// </summary>
    public string? Incompatibility(Requirements incoming)
    {
        foreach (var r in incoming._items)
        {
            if (Labels.WellKnown.Contains(r.Key) || Has(r.Key) || r.AllowsAbsent)
            {
                continue;
            }

            return $"label {r.Key} has no known values on this node (the pod asks {r})";
        }

        return FirstConflict(incoming);
    }

    public bool IsCompatible(Requirements incoming) => Incompatibility(incoming) is null;

    /// <summary>The labels a node created for these requirements carries: every key with a single allowed value.</summary>
    public IEnumerable<KeyValuePair<string, string>> SingleValuedLabels()
    {
        foreach (var r in _items)
        {
            if (r.SingleValue is { } value)
            {
                yield return KeyValuePair.Create(r.Key, value);
            }
        }
    }

    public IEnumerator<Requirement> GetEnumerator() => ((IEnumerable<Requirement>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(Requirements? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as Requirements);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var r in _items)
        {
            hash.Add(r);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", _items.Select(r => r.ToString()));
}
