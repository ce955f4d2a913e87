using System.Collections;
using System.Text;

namespace Capstan.Core.Resources;

/// <summary>
/// An immutable set of named quantities (a Kubernetes ResourceList), kept sorted by name so that
/// element-wise arithmetic is a merge of two short arrays.
/// </summary>
public sealed class ResourceList : IReadOnlyCollection<KeyValuePair<string, Quantity>>, IEquatable<ResourceList>
{
    private readonly string[] _names;
    private readonly Quantity[] _values;

    public static readonly ResourceList Empty = new([], []);

    private ResourceList(string[] names, Quantity[] values)
    {
        _names = names;
        _values = values;
    }

    public int Count => _names.Length;

    public bool IsEmpty => _names.Length == 0;

    public IEnumerable<string> Names => _names;

    public Quantity this[string name] => Get(name);

    public Quantity Cpu => Get(ResourceNames.Cpu);

    public Quantity Memory => Get(ResourceNames.Memory);

    public Quantity Pods => Get(ResourceNames.Pods);

    public static ResourceList Create(IEnumerable<KeyValuePair<string, Quantity>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);

        // Resource lists are short: sort a copy by name and add up names given more than once.
        var pairs = entries.ToArray();
        if (pairs.Length == 0)
        {
            return Empty;
        }

        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var names = new List<string>(pairs.Length);
        var values = new List<Quantity>(pairs.Length);
        foreach (var (name, value) in pairs)
        {
            if (names.Count > 0 && names[^1] == name)
            {
                values[^1] += value;
            }
            else
            {
                names.Add(name);
                values.Add(value);
            }
        }

        return new ResourceList([.. names], [.. values]);
    }

    public static ResourceList Create(params (string Name, Quantity Value)[] entries) =>
        Create(entries.Select(e => KeyValuePair.Create(e.Name, e.Value)));

    /// <summary>Parses string quantities such as <c>{"cpu": "500m", "memory": "1Gi"}</c>.</summary>
    public static ResourceList Parse(IEnumerable<KeyValuePair<string, string>> entries) =>
        Create(entries.Select(e => KeyValuePair.Create(e.Key, Quantity.Parse(e.Value))));

    /// <summary>Shorthand for tests and builders: <c>Of("cpu", "1", "memory", "1.5Gi")</c>.</summary>
    public static ResourceList Of(params string[] namesAndValues)
    {
        if (namesAndValues.Length % 2 != 0)
        {
            throw new ArgumentException("expected name/value pairs", nameof(namesAndValues));
        }

        var pairs = new List<KeyValuePair<string, Quantity>>();
        for (var i = 0; i < namesAndValues.Length; i += 2)
        {
            pairs.Add(KeyValuePair.Create(namesAndValues[i], Quantity.Parse(namesAndValues[i + 1])));
        }

        return Create(pairs);
    }

    public Quantity Get(string name)
    {
        var index = Array.BinarySearch(_names, name, StringComparer.Ordinal);
        return index >= 0 ? _values[index] : Quantity.Zero;
    }

    public bool Contains(string name) => Array.BinarySearch(_names, name, StringComparer.Ordinal) >= 0;

    public ResourceList Add(ResourceList other) => Merge(this, other, static (a, b) => a + b);

    public ResourceList Subtract(ResourceList other) => Merge(this, other, static (a, b) => a - b);

    /// <summary>Element-wise maximum, as Kubernetes combines init containers with regular ones.</summary>
    public ResourceList Max(ResourceList other) => Merge(this, other, Quantity.Max);

    public ResourceList With(string name, Quantity value)
    {
        var index = Array.BinarySearch(_names, name, StringComparer.Ordinal);
        if (index >= 0)
        {
            var replaced = (Quantity[])_values.Clone();
            replaced[index] = value;
            return new ResourceList(_names, replaced);
        }

        index = ~index;
        var names = new string[_names.Length + 1];
        var values = new Quantity[_values.Length + 1];
        Array.Copy(_names, names, index);
        Array.Copy(_values, values, index);
        names[index] = name;
        values[index] = value;
        Array.Copy(_names, index, names, index + 1, _names.Length - index);
        Array.Copy(_values, index, values, index + 1, _values.Length - index);
        return new ResourceList(names, values);
    }

    public ResourceList Scale(long factor) => Map(q => q * factor);

    public ResourceList Map(Func<Quantity, Quantity> map)
    {
        var values = new Quantity[_values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = map(_values[i]);
        }

        return new ResourceList(_names, values);
    }

    /// <summary>
    /// Returns the first resource (by name) whose request exceeds what <paramref name="capacity"/> offers,
    /// or null when everything fits. A resource absent from the capacity offers zero.
    /// </summary>
    public string? FirstExceeding(ResourceList capacity)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (_values[i].Sign > 0 && _values[i] > capacity.Get(_names[i]))
            {
                return _names[i];
            }
        }

        return null;
    }

    public bool FitsIn(ResourceList capacity) => FirstExceeding(capacity) is null;

    /// <summary>True when any quantity is negative (a capacity overdrawn).</summary>
    public bool AnyNegative()
    {
        foreach (var v in _values)
        {
            if (v.Sign < 0)
            {
                return true;
            }
        }

        return false;
    }

    public SortedDictionary<string, Quantity> ToDictionary()
    {
        var dict = new SortedDictionary<string, Quantity>(StringComparer.Ordinal);
        for (var i = 0; i < _names.Length; i++)
        {
            dict[_names[i]] = _values[i];
        }

        return dict;
    }

    /// <summary>The list as Kubernetes prints it: <c>{"cpu": "8", "memory": "12Gi"}</c>.</summary>
    public SortedDictionary<string, string> ToStrings()
    {
        var dict = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < _names.Length; i++)
        {
            dict[_names[i]] = ResourceNames.Format(_names[i], _values[i]);
        }

        return dict;
    }

    private static ResourceList Merge(ResourceList left, ResourceList right, Func<Quantity, Quantity, Quantity> combine)
    {
        if (left.IsEmpty && right.IsEmpty)
        {
            return Empty;
        }

        // Two passes over the sorted names: count the union, then fill arrays of exactly that size.
        var count = 0;
        for (int i = 0, j = 0; i < left._names.Length || j < right._names.Length; count++)
        {
            var cmp = Order(left, i, right, j);
            i += cmp <= 0 ? 1 : 0;
            j += cmp >= 0 ? 1 : 0;
        }

        var names = new string[count];
        var values = new Quantity[count];
        for (int i = 0, j = 0, k = 0; k < count; k++)
        {
            var cmp = Order(left, i, right, j);
            names[k] = cmp <= 0 ? left._names[i] : right._names[j];
            values[k] = combine(cmp <= 0 ? left._values[i] : Quantity.Zero, cmp >= 0 ? right._values[j] : Quantity.Zero);
            i += cmp <= 0 ? 1 : 0;
            j += cmp >= 0 ? 1 : 0;
        }

        return new ResourceList(names, values);
    }

    /// <summary>Which of the two lists' next names comes first (negative: the left's; 0: the same name).</summary>
    private static int Order(ResourceList left, int i, ResourceList right, int j) =>
        i >= left._names.Length ? 1 : j >= right._names.Length ? -1 : string.CompareOrdinal(left._names[i], right._names[j]);

    public IEnumerator<KeyValuePair<string, Quantity>> GetEnumerator()
    {
        for (var i = 0; i < _names.Length; i++)
        {
            yield return KeyValuePair.Create(_names[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ResourceList? other) =>
        other is not null && _names.AsSpan().SequenceEqual(other._names) && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as ResourceList);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (var i = 0; i < _names.Length; i++)
        {
            hash.Add(_names[i]);
            hash.Add(_values[i]);
        }

        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var sb = new StringBuilder("{");
        var first = true;
        foreach (var (name, value) in ToStrings())
        {
            sb.Append(first ? "" : ", ").Append(name).Append('=').Append(value);
            first = false;
        }

        return sb.Append('}').ToString();
    }
}
