using Capstan.Core.NodeGroups;
using Capstan.Core.Resources;
using Capstan.Testing;

namespace Capstan.Core.Tests.NodeGroups;

/// <summary>Each expander strategy on hand-made options, chains, and the names the options accept.</summary>
public sealed class ExpanderTests
{
    private static ScaleUpOption Option(string name, int nodes, int pods, string offeredCpu, string requestedCpu, double price, string offeredMemory = "8Gi", string requestedMemory = "4Gi") => new()
    {
        Name = name,
        MatchNames = [name],
        NodeCount = nodes,
        Pods = [.. Enumerable.Range(0, pods).Select(i => new PodBuilder($"{name}-{i}").Build())],
        Allocatable = ResourceList.Of("cpu", offeredCpu, "memory", offeredMemory),
        Requested = ResourceList.Of("cpu", requestedCpu, "memory", requestedMemory),
        PricePerHour = price,
    };

    private static Expander Chain(params string[] names) => new(names, new Random(7));

    [Fact]
    public void LeastWasteTakesTheOptionWithTheLeastIdleCpuAndMemory()
    {
        var snug = Option("snug", 1, 3, "4", "3.5", 0.2);
        var roomy = Option("roomy", 1, 3, "16", "3.5", 0.1);
        Assert.Same(snug, Chain(Expander.LeastWaste).Choose([roomy, snug]));
    }

    [Fact]
    public void LeastWasteBreaksACpuTieOnMemory()
    {
        var a = Option("a", 1, 2, "4", "2", 0.1, "16Gi", "4Gi");
        var b = Option("b", 1, 2, "4", "2", 0.1, "8Gi", "4Gi");
        Assert.Same(b, Chain(Expander.LeastWaste).Choose([a, b]));
    }

    [Fact]
    public void PriceTakesTheCheapestPerPod()
    {
        var cheapTotal = Option("cheap-total", 1, 1, "4", "1", 0.10);
        var cheapPerPod = Option("cheap-per-pod", 1, 4, "4", "4", 0.20);
        Assert.Same(cheapPerPod, Chain(Expander.Price).Choose([cheapTotal, cheapPerPod]));
    }

    [Fact]
    public void MostPodsAndLeastNodesCountWhatTheirNamesSay()
    {
        var many = Option("many", 3, 9, "12", "9", 0.3);
        var few = Option("few", 1, 2, "4", "2", 0.1);
        Assert.Same(many, Chain(Expander.MostPods).Choose([few, many]));
        Assert.Same(few, Chain(Expander.LeastNodes).Choose([few, many]));
    }

    [Fact]
    public void PriorityKeepsTheHighestMatchThenTheNextStrategyDecides()
    {
        var priorities = ExpanderPriorities.Create(new Dictionary<int, IReadOnlyList<string>>
        {
            [10] = ["^spot-.*"],
            [1] = [".*"],
        }, out _);
        var spotA = Option("spot-a", 1, 2, "8", "2", 0.1);
        var spotB = Option("spot-b", 1, 2, "4", "2", 0.1);
        var onDemand = Option("on-demand", 1, 2, "2", "2", 0.1);

        Assert.Same(spotB, Chain(Expander.Priority, Expander.LeastWaste).Choose([onDemand, spotA, spotB], priorities));
    }

    [Fact]
    public void PriorityWithoutAnyMatchLeavesEveryOptionToTheNextStrategy()
    {
        var priorities = ExpanderPriorities.Create(new Dictionary<int, IReadOnlyList<string>> { [10] = ["nothing-matches"] }, out _);
        var snug = Option("snug", 1, 2, "2", "2", 0.1);
        var roomy = Option("roomy", 1, 2, "8", "2", 0.1);
        Assert.Same(snug, Chain(Expander.Priority, Expander.LeastWaste).Choose([roomy, snug], priorities));
    }

    [Fact]
    public void InvalidPatternsAreReportedInWords()
    {
        var priorities = ExpanderPriorities.Create(new Dictionary<int, IReadOnlyList<string>> { [10] = ["(unclosed", "ok"] }, out var problems);
        Assert.Equal(1, priorities.Count);
        Assert.Equal("priority 10: \"(unclosed\" is not a regular expression", Assert.Single(problems));
    }

    [Fact]
    public void RandomDrawsFromTheSeededGeneratorAndReachesEveryOption()
    {
        var options = new[] { Option("a", 1, 1, "1", "1", 0.1), Option("b", 1, 1, "1", "1", 0.1), Option("c", 1, 1, "1", "1", 0.1) };
        var expander = Chain(Expander.Random);
        var chosen = Enumerable.Range(0, 60).Select(_ => expander.Choose(options)!.Name).ToHashSet();
        Assert.Equal(["a", "b", "c"], chosen.Order());
    }

    [Fact]
    public void OptionsThatHelpNoPodAreNeverChosen()
    {
        Assert.Null(Chain(Expander.LeastWaste).Choose([Option("idle", 0, 0, "0", "0", 0)]));
    }

    [Fact]
    public void AFinalTieGoesToTheNameThatSortsFirst()
    {
        var b = Option("b", 1, 1, "2", "1", 0.1);
        var a = Option("a", 1, 1, "2", "1", 0.1);
        Assert.Same(a, Chain(Expander.LeastWaste).Choose([b, a]));
    }

    [Theory]
    [InlineData("least-waste", "least-waste")]
    [InlineData("priority, least-waste", "priority,least-waste")]
    [InlineData("", "least-waste")]
    public void ChainsAreReadFromTheirText(string text, string expected)
    {
        Assert.Equal(expected, string.Join(",", Expander.ParseChain(text, out var problem)!));
        Assert.Null(problem);
    }

    [Fact]
    public void UnknownNamesAreRefusedWithTheKnownOnes()
    {
        Assert.Null(Expander.ParseChain("priority,cheapest", out var problem));
        Assert.Equal("unknown expander cheapest (known: least-waste, price, priority, random, most-pods, least-nodes)", problem);
    }
}
