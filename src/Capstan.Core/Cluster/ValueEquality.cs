using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Capstan.Core.Cluster;

/// <summary>
/// Structural equality of a record, derived from its type rather than from a hand-kept list of fields: every
/// instance field (so every auto-property, including ones added later) is compared; collections
/// (<see cref="IReadOnlyDictionary{TKey,TValue}"/>, lists, arrays) by content; records whose equality the compiler
/// wrote (reference equality on their collections) recursively; other types by their own <c>Equals</c>.
/// </summary>
/// <remarks>
/// Caches use it to tell a real change from a no-op event. The comparison is compiled once per type into a
/// delegate (no reflection, no boxing per call).
/// </remarks>
public static class ValueEquality
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> hold the same values, field by field.</summary>
    public static bool AreEqual<T>(T? a, T? b) => ForType<T>.Compare(a, b);

    /// <summary>The instance fields <see cref="AreEqual{T}"/> compares for <typeparamref name="T"/> (auto-properties by their property names).</summary>
    public static IReadOnlyList<string> ComparedMembers<T>() => [.. Fields(typeof(T)).Select(MemberName)];

    private static class ForType<T>
    {
        public static readonly Func<T?, T?, bool> Compare = Build<T>();
    }

    private static Func<T?, T?, bool> Build<T>()
    {
        var type = typeof(T);
        if (IsStructural(type))
        {
            return BuildStructural<T>();
        }

        if (MapTypes(type) is { } map)
        {
            var method = typeof(ValueEquality).GetMethod(nameof(MapEqual), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type, map.Key, map.Value);
            return method.CreateDelegate<Func<T?, T?, bool>>();
        }

        if (type != typeof(string) && !HasOwnEquality(type) && SequenceElement(type) is { } element)
        {
            var method = typeof(ValueEquality).GetMethod(nameof(SequenceEqual), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type, element);
            return method.CreateDelegate<Func<T?, T?, bool>>();
        }

        var comparer = EqualityComparer<T?>.Default;
        return comparer.Equals;
    }

    private static Func<T?, T?, bool> BuildStructural<T>()
    {
        var type = typeof(T);
        var a = Expression.Parameter(type, "a");
        var b = Expression.Parameter(type, "b");
        Expression body = Expression.Constant(true);
        foreach (var field in Fields(type))
        {
            var compare = typeof(ValueEquality).GetMethod(nameof(AreEqual))!.MakeGenericMethod(field.FieldType);
            body = Expression.AndAlso(body, Expression.Call(compare, Expression.Field(a, field), Expression.Field(b, field)));
        }

        var fields = Expression.Lambda<Func<T, T, bool>>(body, a, b).Compile();
        if (type.IsValueType)
        {
            return (x, y) => fields(x!, y!);
        }

        return (x, y) => ReferenceEquals(x, y) || (x is not null && y is not null && fields(x, y));
    }

    private static IEnumerable<FieldInfo> Fields(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                yield return field;
            }
        }
    }

    private static string MemberName(FieldInfo field) =>
        field.Name.StartsWith('<') && field.Name.IndexOf(">k__BackingField", StringComparison.Ordinal) is > 0 and var end
            ? field.Name[1..end]
            : field.Name;

    /// <summary>A record whose equality the compiler synthesised: compared field by field here, structurally.</summary>
    private static bool IsStructural(Type type)
    {
        var equals = type.GetMethod("Equals", BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly, [type]);
        return equals is not null && equals.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
    }

    /// <summary>A type that defines equality itself (not a compiler-synthesised record one): trusted as it is.</summary>
    private static bool HasOwnEquality(Type type) =>
        type.IsClass && !type.IsAbstract && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEquatable<>));

    private static KeyValuePair<Type, Type>? MapTypes(Type type)
    {
        var map = Implemented(type, typeof(IReadOnlyDictionary<,>));
        return map is null ? null : KeyValuePair.Create(map.GetGenericArguments()[0], map.GetGenericArguments()[1]);
    }

    private static Type? SequenceElement(Type type) => Implemented(type, typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static Type? Implemented(Type type, Type definition) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == definition
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);

    private static bool MapEqual<TMap, TKey, TValue>(TMap? a, TMap? b)
        where TMap : IReadOnlyDictionary<TKey, TValue>
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !AreEqual(value, other))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SequenceEqual<TSequence, TElement>(TSequence? a, TSequence? b)
        where TSequence : IEnumerable<TElement>
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null)
        {
            return false;
        }

        if (a is IReadOnlyList<TElement> x && b is IReadOnlyList<TElement> y)
        {
            if (x.Count != y.Count)
            {
                return false;
            }

            for (var i = 0; i < x.Count; i++)
            {
                if (!AreEqual(x[i], y[i]))
                {
                    return false;
                }
            }

            return true;
        }

        using var left = a.GetEnumerator();
        using var right = b.GetEnumerator();
        while (true)
        {
            var more = left.MoveNext();
            if (more != right.MoveNext())
            {
                return false;
            }

            if (!more)
            {
                return true;
            }

            if (!AreEqual(left.Current, right.Current))
            {
                return false;
            }
        }
    }
}
