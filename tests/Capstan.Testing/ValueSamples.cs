using System.Reflection;
using System.Runtime.CompilerServices;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Testing;

/// <summary>
/// Two different values of every type the cluster views hold, built fresh on each call, and whole records built
/// from them: for tests that prove change detection sees a change of every property. A property of a type with no
/// sample fails loudly, so a new property cannot slip past those tests.
/// </summary>
public static class ValueSamples
{
    /// <summary>The properties of <paramref name="type"/> that hold state (they have a setter or init accessor).</summary>
    public static IReadOnlyList<PropertyInfo> StateProperties(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return [.. type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.SetMethod is not null && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.Name, StringComparer.Ordinal)];
    }

    /// <summary>A <typeparamref name="T"/> with every state property set to sample <paramref name="variant"/> (0 or 1), except as overridden.</summary>
    public static T Build<T>(int variant = 0, string? changed = null)
        where T : class
    {
        var instance = (T)RuntimeHelpers.GetUninitializedObject(typeof(T));
        foreach (var property in StateProperties(typeof(T)))
        {
            property.SetValue(instance, Sample(property.PropertyType, property.Name == changed ? 1 - variant : variant));
        }

        return instance;
    }

    /// <summary>Sample <paramref name="variant"/> (0 or 1) of <paramref name="type"/>; the two variants differ.</summary>
    public static object Sample(Type type, int variant)
    {
        ArgumentNullException.ThrowIfNull(type);
        var text = variant == 0 ? "a" : "b";
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Sample(underlying, variant);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var element = type.GetGenericArguments()[0];
            var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Sample(element, variant));
            return list;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(WeightedTerm<>))
        {
            return Activator.CreateInstance(type, 1, Sample(type.GetGenericArguments()[0], variant))!;
        }

        if (type.IsEnum)
        {
            return Enum.GetValues(type).GetValue(variant)!;
        }

        return type switch
        {
            _ when type == typeof(string) => text,
            _ when type == typeof(bool) => variant == 1,
            _ when type == typeof(int) => variant + 1,
            _ when type == typeof(long) => variant + 1L,
            _ when type == typeof(double) => variant + 1.5,
            _ when type == typeof(DateTimeOffset) => new DateTimeOffset(2024, 1, 1 + variant, 0, 0, 0, TimeSpan.Zero),
            _ when type == typeof(IReadOnlyDictionary<string, string>) => new Dictionary<string, string> { ["k"] = text },
            _ when type == typeof(ResourceList) => ResourceList.Of("cpu", variant == 0 ? "1" : "2"),
            _ when type == typeof(Requirements) => Requirements.Create([Requirement.In("k", text)]),
            _ when type == typeof(LabelSelector) => LabelSelector.MatchLabels("app", text),
            _ when type == typeof(Toleration) => new Toleration(text, TolerationOperator.Exists, "", TaintEffect.NoSchedule),
            _ when type == typeof(Taint) => new Taint(text, "v", TaintEffect.NoSchedule),
            _ when type == typeof(HostPort) => new HostPort("TCP", 80 + variant),
            _ when type == typeof(TopologySpreadConstraint) => new TopologySpreadConstraint(1 + variant, "zone", true, LabelSelector.Everything),
            _ when type == typeof(PodAffinityTerm) => new PodAffinityTerm(LabelSelector.Everything, "zone", [text]),
            _ when type == typeof(PodRequest) => new PodRequest { Namespace = "ns", Name = text, Requests = ResourceList.Of("cpu", "1") },
            _ when type == typeof(Core.Cluster.IntOrPercent) => new Core.Cluster.IntOrPercent(variant + 1, false),
            _ => throw new NotSupportedException($"ValueSamples has no sample of {type}: add one, so change detection is tested for it"),
        };
    }
}
