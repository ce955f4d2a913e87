using System.Globalization;

namespace Capstan.Core.Scheduling;

/// <summary>
/// One label requirement held as a set of allowed values: either a finite set (In, DoesNotExist
/// as the empty set) or the complement of a finite set (NotIn, Exists as the complement of the
/// empty set), optionally bounded by integer limits (Gt, Lt). Intersections stay in this form, so
/// any combination of operators can be merged exactly.
/// </summary>
public sealed class Requirement : IEquatable<Requirement>
{
    private static readonly string[] s_none = [];

    private Requirement(string key, bool complement, string[] values, long? greaterThan, long? lessThan)
    {
        Key = key;
        Complement = complement;
        Values = values;
        GreaterThan = greaterThan;
        LessThan = lessThan;
    }

    public string Key { get; }

    /// <summary>True when <see cref="Values"/> lists excluded values rather than allowed ones.</summary>
    public bool Complement { get; }

    /// <summary>Sorted, distinct values (allowed, or excluded when <see cref="Complement"/>).</summary>
    public IReadOnlyList<string> Values { get; }

    public long? GreaterThan { get; }

    public long? LessThan { get; }

    /// <summary>True when no value at all is allowed: the label must be absent.</summary>
    public bool IsDoesNotExist => !Complement && Values.Count == 0;

    /// <summary>The operator that best describes this set.</summary>
    public RequirementOperator Operator =>
        Complement
            ? Values.Count > 0 ? RequirementOperator.NotIn
            : GreaterThan is not null ? RequirementOperator.Gt
            : LessThan is not null ? RequirementOperator.Lt
            : RequirementOperator.Exists
            : Values.Count == 0 ? RequirementOperator.DoesNotExist : RequirementOperator.In;

    /// <summary>Builds a requirement from a node selector term; the key is normalised (legacy beta labels).</summary>
    public static Requirement Create(string key, RequirementOperator op, IEnumerable<string>? values = null)
    {
        key = Labels.Normalize(key);
        var list = values?.ToArray() ?? s_none;
        return op switch
        {
            RequirementOperator.In => new Requirement(key, false, Sorted(list), null, null),
            RequirementOperator.NotIn => new Requirement(key, true, Sorted(list), null, null),
            RequirementOperator.Exists => new Requirement(key, true, s_none, null, null),
            RequirementOperator.DoesNotExist => new Requirement(key, false, s_none, null, null),
            RequirementOperator.Gt => new Requirement(key, true, s_none, ParseBound(key, op, list), null),
            RequirementOperator.Lt => new Requirement(key, true, s_none, null, ParseBound(key, op, list)),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown operator"),
        };
    }

    public static Requirement In(string key, params string[] values) => Create(key, RequirementOperator.In, values);

    public static Requirement NotIn(string key, params string[] values) => Create(key, RequirementOperator.NotIn, values);

    public static Requirement Exists(string key) => Create(key, RequirementOperator.Exists);

    public static Requirement DoesNotExist(string key) => Create(key, RequirementOperator.DoesNotExist);

    public static Requirement Gt(string key, long value) => new(Labels.Normalize(key), true, s_none, value, null);

    public static Requirement Lt(string key, long value) => new(Labels.Normalize(key), true, s_none, null, value);

    private static long ParseBound(string key, RequirementOperator op, string[] values)
    {
        if (values.Length != 1 || !long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bound))
        {
            throw new ArgumentException($"requirement {key} {op} needs a single integer value", nameof(values));
        }

        return bound;
    }

    private static string[] Sorted(string[] values)
    {
        if (values.Length <= 1)
        {
            return values.Length == 0 ? s_none : [values[0]];
        }

        var copy = values.Distinct(StringComparer.Ordinal).ToArray();
        Array.Sort(copy, StringComparer.Ordinal);
        return copy;
    }

    /// <summary>True when a node whose label has this value satisfies the requirement.</summary>
    public bool Allows(string value)
    {
        if (!WithinBounds(value))
        {
            return false;
        }

        var found = Array.BinarySearch((string[])Values, value, StringComparer.Ordinal) >= 0;
        return Complement ? !found : found;
    }

    /// <summary>True when a node without this label satisfies the requirement (NotIn, DoesNotExist).</summary>
    public bool AllowsAbsent => (Complement && GreaterThan is null && LessThan is null && Values.Count > 0) || IsDoesNotExist;

    private bool WithinBounds(string value) => WithinBounds(value, GreaterThan, LessThan);

    private static bool WithinBounds(string value, long? greaterThan, long? lessThan)
    {
        if (greaterThan is null && lessThan is null)
        {
            return true;
        }

        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        return (greaterThan is not { } gt || number > gt) && (lessThan is not { } lt || number < lt);
    }

    /// <summary>The set of values both requirements allow.</summary>
    public Requirement Intersect(Requirement other)
    {
        if (!string.Equals(Key, other.Key, StringComparison.Ordinal))
        {
            throw new ArgumentException($"cannot intersect {Key} with {other.Key}", nameof(other));
        }

        var gt = Max(GreaterThan, other.GreaterThan);
        var lt = Min(LessThan, other.LessThan);
        if (Complement && other.Complement)
        {
            var union = Values.Union(other.Values, StringComparer.Ordinal).ToArray();
            if (gt is { } g && lt is { } l && l - g <= 1)
            {
                return new Requirement(Key, false, s_none, null, null);
            }

            return new Requirement(Key, true, Sorted(union), gt, lt);
        }

        IEnumerable<string> kept = Complement
            ? other.Values.Where(v => !Values.Contains(v, StringComparer.Ordinal))
            : other.Complement
                ? Values.Where(v => !other.Values.Contains(v, StringComparer.Ordinal))
                : Values.Intersect(other.Values, StringComparer.Ordinal);
        var bounded = new Requirement(Key, true, s_none, gt, lt);
        return new Requirement(Key, false, Sorted(kept.Where(bounded.WithinBounds).ToArray()), null, null);
    }

    /// <summary>True when some value satisfies both, or both demand the label be absent.</summary>
    public bool Intersects(Requirement other) =>
        SharesAValue(other) || (IsDoesNotExist && other.IsDoesNotExist) || (AllowsAbsent && other.AllowsAbsent);

    /// <summary>
    /// Whether <see cref="Intersect"/> would allow some value (or be a complement), decided without building it: the
    /// packing core asks this for every instance type a claim still has, so it must not allocate.
    /// </summary>
    private bool SharesAValue(Requirement other)
    {
        var gt = Max(GreaterThan, other.GreaterThan);
        var lt = Min(LessThan, other.LessThan);
        if (Complement && other.Complement)
        {
            return !(gt is { } g && lt is { } l && l - g <= 1);
        }

        // One side lists the candidates; the other keeps (In) or removes (NotIn) them. Values are kept sorted.
        var (candidates, filter, keep) = Complement ? ((string[])other.Values, (string[])Values, false)
            : other.Complement ? ((string[])Values, (string[])other.Values, false)
            : ((string[])Values, (string[])other.Values, true);
        foreach (var value in candidates)
        {
            if ((Array.BinarySearch(filter, value, StringComparer.Ordinal) >= 0) == keep && WithinBounds(value, gt, lt))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The only value allowed, when the requirement is In with exactly one value; otherwise null.</summary>
    public string? SingleValue => !Complement && Values.Count == 1 ? Values[0] : null;

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    public bool Equals(Requirement? other) =>
        other is not null && Key == other.Key && Complement == other.Complement && GreaterThan == other.GreaterThan
        && LessThan == other.LessThan && ((string[])Values).AsSpan().SequenceEqual((string[])other.Values);

    public override bool Equals(object? obj) => Equals(obj as Requirement);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Key);
        hash.Add(Complement);
        hash.Add(GreaterThan);
        hash.Add(LessThan);
        foreach (var v in Values)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => Operator switch
    {
        RequirementOperator.In => $"{Key} In [{string.Join(",", Values)}]",
        RequirementOperator.NotIn => $"{Key} NotIn [{string.Join(",", Values)}]" + BoundsText(),
        RequirementOperator.Exists => $"{Key} Exists",
        RequirementOperator.DoesNotExist => $"{Key} DoesNotExist",
        _ => Key + BoundsText(),
    };

    private string BoundsText() =>
        (GreaterThan is { } g ? $" Gt {g}" : "") + (LessThan is { } l ? $" Lt {l}" : "");
}
