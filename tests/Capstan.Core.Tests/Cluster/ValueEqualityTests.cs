using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Testing;

namespace Capstan.Core.Tests.Cluster;

/// <summary>
/// Change detection is derived, not hand-kept: for each view record, changing any one property (found by
/// reflection, so properties added later are included) makes it unequal, and equal contents in different
/// instances (other dictionaries, other lists) are equal.
/// </summary>
public sealed class ValueEqualityTests
{
    public static TheoryData<Type> Records => [typeof(PodRequest), typeof(PodView), typeof(NodeView), typeof(DisruptionBudget)];

    [Theory]
    [MemberData(nameof(Records))]
    public void EveryProperty_IsCompared(Type type) =>
        typeof(ValueEqualityTests).GetMethod(nameof(EveryPropertyIsCompared), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, null);

    private static void EveryPropertyIsCompared<T>()
        where T : class
    {
        var baseline = ValueSamples.Build<T>();
        var properties = ValueSamples.StateProperties(typeof(T));

        Assert.True(ValueEquality.AreEqual(baseline, ValueSamples.Build<T>()), "equal contents in other instances are equal");
        Assert.Equal(properties.Select(p => p.Name), ValueEquality.ComparedMembers<T>().Order(StringComparer.Ordinal));
        foreach (var property in properties)
        {
            var changed = ValueSamples.Build<T>(changed: property.Name);
            Assert.False(ValueEquality.AreEqual(baseline, changed), $"a change of {typeof(T).Name}.{property.Name} is seen");
        }
    }

    [Fact]
    public void Collections_AreComparedByContent_NullsAndSameInstance()
    {
        IReadOnlyDictionary<string, string> a = new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" };
        IReadOnlyDictionary<string, string> b = new Dictionary<string, string> { ["y"] = "2", ["x"] = "1" };
        IReadOnlyDictionary<string, string> c = new Dictionary<string, string> { ["x"] = "1" };

        Assert.True(ValueEquality.AreEqual(a, b));
        Assert.False(ValueEquality.AreEqual(a, c));
        Assert.True(ValueEquality.AreEqual<IReadOnlyList<string>>(["p", "q"], new List<string> { "p", "q" }));
        Assert.False(ValueEquality.AreEqual<IReadOnlyList<string>>(["p", "q"], ["q", "p"]));
        Assert.True(ValueEquality.AreEqual<PodView>(null, null));
        Assert.False(ValueEquality.AreEqual(ValueSamples.Build<PodView>(), null));
    }
}
