using Capstan.Core.Resources;

namespace Capstan.Core.Tests.Resources;

/// <summary>Resource lists against a plain dictionary model of them: sorted by name, names unique, values exact.</summary>
public sealed class ResourceListTests
{
    private static readonly string[] s_names = ["cpu", "memory", "pods", "ephemeral-storage", "nvidia.com/gpu", "a", "z"];

    [Fact]
    public void Create_SortsByName_AndAddsUpANameGivenTwice()
    {
        var list = ResourceList.Create(("memory", Quantity.Parse("1Gi")), ("cpu", Quantity.Parse("250m")), ("memory", Quantity.Parse("512Mi")));

        Assert.Equal(["cpu", "memory"], list.Names);
        Assert.Equal(Quantity.Parse("1536Mi"), list.Get("memory"));
        Assert.Same(ResourceList.Empty, ResourceList.Create());
    }

    [Fact]
    public void AddSubtractMaxWith_AgreeWithADictionary_OnRandomLists()
    {
        var random = new Random(7);
        for (var round = 0; round < 500; round++)
        {
            var (left, leftModel) = RandomList(random);
            var (right, rightModel) = RandomList(random);

            Assert.Equal(Model(leftModel, rightModel, (a, b) => a + b), Entries(left.Add(right)));
            Assert.Equal(Model(leftModel, rightModel, (a, b) => a - b), Entries(left.Subtract(right)));
            Assert.Equal(Model(leftModel, rightModel, Quantity.Max), Entries(left.Max(right)));

            var name = s_names[random.Next(s_names.Length)];
            var value = Quantity.FromMilli(random.Next(1, 5000));
            var with = new SortedDictionary<string, Quantity>(leftModel, StringComparer.Ordinal) { [name] = value };
            Assert.Equal(with.ToList(), Entries(left.With(name, value)));
            Assert.Equal(leftModel.ToList(), Entries(left));
        }
    }

    private static (ResourceList List, SortedDictionary<string, Quantity> Model) RandomList(Random random)
    {
        var entries = Enumerable.Range(0, random.Next(0, 6))
            .Select(_ => KeyValuePair.Create(s_names[random.Next(s_names.Length)], Quantity.FromMilli(random.Next(0, 100_000))))
            .ToList();
        var model = new SortedDictionary<string, Quantity>(StringComparer.Ordinal);
        foreach (var (name, value) in entries)
        {
            model[name] = model.TryGetValue(name, out var known) ? known + value : value;
        }

        return (ResourceList.Create(entries), model);
    }

    private static List<KeyValuePair<string, Quantity>> Model(
        SortedDictionary<string, Quantity> left, SortedDictionary<string, Quantity> right, Func<Quantity, Quantity, Quantity> combine) =>
        [.. left.Keys.Union(right.Keys).Order(StringComparer.Ordinal)
            .Select(n => KeyValuePair.Create(n, combine(left.GetValueOrDefault(n), right.GetValueOrDefault(n))))];

    private static List<KeyValuePair<string, Quantity>> Entries(ResourceList list) => [.. list];
}
