using Capstan.Core.Scheduling;

namespace Capstan.Core.Tests.Scheduling;

public sealed class RequirementTests
{
    [Theory]
    [InlineData(RequirementOperator.In, new[] { "a", "b" }, "a", true)]
    [InlineData(RequirementOperator.In, new[] { "a", "b" }, "c", false)]
    [InlineData(RequirementOperator.NotIn, new[] { "a" }, "a", false)]
    [InlineData(RequirementOperator.NotIn, new[] { "a" }, "b", true)]
    [InlineData(RequirementOperator.Exists, new string[0], "anything", true)]
    [InlineData(RequirementOperator.DoesNotExist, new string[0], "anything", false)]
    [InlineData(RequirementOperator.Gt, new[] { "2" }, "3", true)]
    [InlineData(RequirementOperator.Gt, new[] { "2" }, "2", false)]
    [InlineData(RequirementOperator.Gt, new[] { "2" }, "x", false)]
    [InlineData(RequirementOperator.Lt, new[] { "8" }, "7", true)]
    [InlineData(RequirementOperator.Lt, new[] { "8" }, "8", false)]
    public void Allows_EachOperator(RequirementOperator op, string[] values, string value, bool expected)
    {
        Assert.Equal(expected, Requirement.Create("k", op, values).Allows(value));
    }

    [Theory]
    [InlineData(RequirementOperator.NotIn, true)]
    [InlineData(RequirementOperator.DoesNotExist, true)]
    [InlineData(RequirementOperator.In, false)]
    [InlineData(RequirementOperator.Exists, false)]
    public void AllowsAbsent_FollowsKubernetes(RequirementOperator op, bool expected)
    {
        var values = op is RequirementOperator.In or RequirementOperator.NotIn ? new[] { "a" } : [];
        Assert.Equal(expected, Requirement.Create("k", op, values).AllowsAbsent);
    }

    [Fact]
    public void Intersect_InWithIn_KeepsCommonValues()
    {
        var r = Requirement.In("k", "a", "b", "c").Intersect(Requirement.In("k", "b", "c", "d"));

        Assert.Equal(RequirementOperator.In, r.Operator);
        Assert.Equal(["b", "c"], r.Values);
    }

    [Fact]
    public void Intersect_InWithNotIn_RemovesExcluded()
    {
        var r = Requirement.In("k", "a", "b").Intersect(Requirement.NotIn("k", "a"));

        Assert.Equal(["b"], r.Values);
    }

    [Fact]
    public void Intersect_NotInWithNotIn_IsComplementOfUnion()
    {
        var r = Requirement.NotIn("k", "a").Intersect(Requirement.NotIn("k", "b"));

        Assert.Equal(RequirementOperator.NotIn, r.Operator);
        Assert.False(r.Allows("a"));
        Assert.False(r.Allows("b"));
        Assert.True(r.Allows("c"));
    }

    [Fact]
    public void Intersect_GtWithIn_FiltersNumbers()
    {
        var r = Requirement.Gt("gen", 2).Intersect(Requirement.In("gen", "1", "3", "5", "x"));

        Assert.Equal(["3", "5"], r.Values);
    }

    [Fact]
    public void Intersect_GtWithLt_EmptyRangeIsDoesNotExist()
    {
        Assert.True(Requirement.Gt("n", 4).Intersect(Requirement.Lt("n", 5)).IsDoesNotExist);
        Assert.True(Requirement.Gt("n", 4).Intersect(Requirement.Lt("n", 6)).Allows("5"));
    }

    [Fact]
    public void Intersects_DisjointIn_IsFalse_BothAbsentIsTrue()
    {
        Assert.False(Requirement.In("k", "a").Intersects(Requirement.In("k", "b")));
        Assert.True(Requirement.DoesNotExist("k").Intersects(Requirement.DoesNotExist("k")));
        Assert.True(Requirement.NotIn("k", "a").Intersects(Requirement.DoesNotExist("k")));
        Assert.False(Requirement.In("k", "a").Intersects(Requirement.DoesNotExist("k")));
    }

    [Theory]
    [InlineData("failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/zone")]
    [InlineData("failure-domain.beta.kubernetes.io/region", "topology.kubernetes.io/region")]
    [InlineData("beta.kubernetes.io/arch", "kubernetes.io/arch")]
    [InlineData("beta.kubernetes.io/os", "kubernetes.io/os")]
    [InlineData("beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type")]
    [InlineData("intent", "intent")]
    public void Create_NormalisesLegacyKeys(string key, string expected)
    {
        Assert.Equal(expected, Requirement.In(key, "x").Key);
    }

    [Fact]
    public void Create_GtWithoutSingleInteger_Throws()
    {
        Assert.Throws<ArgumentException>(() => Requirement.Create("k", RequirementOperator.Gt, ["a"]));
        Assert.Throws<ArgumentException>(() => Requirement.Create("k", RequirementOperator.Lt, ["1", "2"]));
    }

    [Fact]
    public void Requirements_SameKeyTwice_AreIntersected()
    {
        var rs = Requirements.Create(Requirement.In("k", "a", "b"), Requirement.NotIn("k", "b"));

        Assert.Equal(["a"], rs.Get("k")!.Values);
        Assert.Single(rs);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(40)]
    public void Requirements_ComeSortedByKey_WithEachKeysRequirementsIntersectedInTheirOrder(int count)
    {
        var random = new Random(count);
        var given = Enumerable.Range(0, count).Select(i => Requirement.In($"key-{random.Next(count / 2)}", "a", "b", $"v{i % 3}")).ToList();

        var rs = Requirements.Create(given);

        Assert.Equal(given.Select(r => r.Key).Distinct().Order(StringComparer.Ordinal), rs.Keys);
        foreach (var key in rs.Keys)
        {
            var expected = given.Where(r => r.Key == key).Aggregate((a, b) => a.Intersect(b));
            Assert.Equal(expected.Values, rs.Get(key)!.Values);
        }
    }

    [Fact]
    public void Incompatibility_CustomKeyUndefinedOnNode_OnlyNotInOrDoesNotExistAllowed()
    {
        var node = Requirements.Create(Requirement.In(Labels.Arch, "amd64"));

        Assert.NotNull(node.Incompatibility(Requirements.Create(Requirement.In("team", "a"))));
        Assert.NotNull(node.Incompatibility(Requirements.Create(Requirement.Exists("team"))));
        Assert.Null(node.Incompatibility(Requirements.Create(Requirement.NotIn("team", "a"))));
        Assert.Null(node.Incompatibility(Requirements.Create(Requirement.DoesNotExist("team"))));
    }

    [Fact]
    public void Incompatibility_WellKnownKeyUndefinedOnNode_IsAllowed()
    {
        var node = Requirements.Create(Requirement.In(Labels.Arch, "amd64"));

        Assert.Null(node.Incompatibility(Requirements.Create(Requirement.In(Labels.Zone, "us-east-1a"))));
        Assert.NotNull(node.Incompatibility(Requirements.Create(Requirement.In(Labels.Arch, "arm64"))));
    }

    [Fact]
    public void SingleValuedLabels_AreTheKeysWithOneValue()
    {
        var rs = Requirements.Create(Requirement.In("a", "1"), Requirement.In("b", "1", "2"), Requirement.Exists("c"));

        Assert.Equal([KeyValuePair.Create("a", "1")], rs.SingleValuedLabels());
    }
}

public sealed class RequirementIntersectsTests
{
    /// <summary>Every requirement over a few values, numbers and bounds: the kinds a pod, a provisioner and an instance type write.</summary>
    private static List<Requirement> Corpus()
    {
        string[][] sets = [[], ["1"], ["2"], ["1", "3"], ["a"], ["a", "2"], ["3", "4", "b"]];
        var corpus = new List<Requirement> { Requirement.Exists("k"), Requirement.DoesNotExist("k") };
        foreach (var set in sets.Where(s => s.Length > 0))
        {
            corpus.Add(Requirement.In("k", set));
            corpus.Add(Requirement.NotIn("k", set));
        }

        foreach (var bound in new long[] { 0, 1, 2, 3, 4 })
        {
            corpus.Add(Requirement.Gt("k", bound));
            corpus.Add(Requirement.Lt("k", bound));
            corpus.Add(Requirement.Gt("k", bound).Intersect(Requirement.Lt("k", bound + 3)));
            corpus.Add(Requirement.Gt("k", bound).Intersect(Requirement.NotIn("k", "3")));
        }

        return corpus;
    }

    [Fact]
    public void Intersects_AgreesWithTheBuiltIntersection_ForEveryPairOfTheCorpus()
    {
        var corpus = Corpus();
        var disagreements = new List<string>();
        foreach (var a in corpus)
        {
            foreach (var b in corpus)
            {
                var intersection = a.Intersect(b);
                var expected = !intersection.IsDoesNotExist || (a.IsDoesNotExist && b.IsDoesNotExist) || (a.AllowsAbsent && b.AllowsAbsent);
                if (a.Intersects(b) != expected)
                {
                    disagreements.Add($"{a} with {b}: expected {expected}");
                }
            }
        }

        Assert.True(corpus.Count > 30, $"corpus of {corpus.Count}");
        Assert.Empty(disagreements);
    }

    [Fact]
    public void RequirementsIntersects_IsFirstConflictBeingNull()
    {
        var node = Requirements.Create(Requirement.In("arch", "amd64"), Requirement.In("zone", "a", "b"));
        var fits = Requirements.Create(Requirement.In("zone", "b"), Requirement.Exists("other"));
        var clashes = Requirements.Create(Requirement.In("arch", "arm64"), Requirement.In("zone", "b"));

        Assert.True(node.Intersects(fits));
        Assert.Null(node.FirstConflict(fits));
        Assert.False(node.Intersects(clashes));
        Assert.Equal("arch In [arm64] does not match arch In [amd64]", node.FirstConflict(clashes));
    }
}
