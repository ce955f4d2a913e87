using Capstan.Core.Placement;
using Capstan.Extender.Wire;
using Capstan.Sandbox.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Extender.Tests;

/// <summary>The extender's bind verb against the shared placement ledger: parallel binds never overcommit a node.</summary>
public sealed class LedgerBindTests
{
    [Fact]
    public async Task BindAsync_ManyParallelBindsOntoOneNode_NeverOvercommit_WhenTheCacheLags()
    {
        // The cache never shows the binds, so only the ledger stands between the node and overcommit.
        var state = new LaggingClusterState(Builders.Node("n1", cpu: "10", memory: "64Gi"));
        var writer = new RecordingClusterWriter();
        var ledger = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        var recent = new RecentPods();
        var sut = new ExtenderService(state, writer, ledger, recent, new NoopProvisioningTrigger(), NullLogger<ExtenderService>.Instance);
        for (var i = 0; i < 64; i++)
        {
            recent.Remember(Builders.Pod("p" + i, cpu: "1"));
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            sut.BindAsync(new ExtenderBindingArgs { PodName = "p" + i, PodNamespace = "default", PodUid = "uid-p" + i, Node = "n1" }, CancellationToken.None))));

        Assert.Equal(10, results.Count(r => r.Error.Length == 0));
        Assert.Equal(10, writer.Bindings.Count);
        Assert.All(results.Where(r => r.Error.Length > 0), r => Assert.Contains("insufficient cpu", r.Error, StringComparison.Ordinal));
        Assert.Equal(0, ledger.RemainingMilli(state.FindNode("n1")!, "cpu"));
        Assert.Equal(10, ledger.EntriesFor("n1").Count(e => e.Bound));
    }

    [Fact]
    public async Task BindAsync_ApiServerNeverAnswers_AnswersWithinTheBindTimeoutAndReleasesTheReservation()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var state = new LaggingClusterState(Builders.Node("n1", cpu: "4", memory: "16Gi"));
        var writer = new RecordingClusterWriter { Hang = true };
        var ledger = new PlacementLedger(clock, TimeSpan.FromMinutes(2));
        var recent = new RecentPods();
        recent.Remember(Builders.Pod("slow", cpu: "1"));
        var options = Microsoft.Extensions.Options.Options.Create(new ExtenderOptions { BindTimeout = TimeSpan.FromSeconds(4) });
        var sut = new ExtenderService(state, writer, ledger, recent, new NoopProvisioningTrigger(), NullLogger<ExtenderService>.Instance, null, options, clock);

        var bind = sut.BindAsync(new ExtenderBindingArgs { PodName = "slow", PodNamespace = "default", PodUid = "uid-slow", Node = "n1" }, CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        Assert.False(bind.IsCompleted);
        Assert.Single(ledger.EntriesFor("n1"));
        clock.Advance(TimeSpan.FromSeconds(4));
        var result = await bind.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("binding pod default/slow to node n1 did not complete within 4 s (the API server is slow or failing); the scheduler will try again", result.Error);
        Assert.Empty(ledger.EntriesFor("n1"));
        Assert.Empty(writer.Bindings);
    }

    [Fact]
    public async Task BindAsync_ManyParallelBindsOntoOneInMemoryNode_NeverOvercommit()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Builders.Node("n1", cpu: "8", memory: "64Gi"));
        cluster.AddPod(Builders.Pod("existing", cpu: "2"), "n1");
        for (var i = 0; i < 40; i++)
        {
            cluster.AddPod(Builders.Pod("p" + i, cpu: "1"));
        }

        var ledger = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        var sut = new ExtenderService(cluster, cluster, ledger, new RecentPods(), new NoopProvisioningTrigger(), NullLogger<ExtenderService>.Instance);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            sut.BindAsync(new ExtenderBindingArgs { PodName = "p" + i, PodNamespace = "default", PodUid = "uid-p" + i, Node = "n1" }, CancellationToken.None))));

        Assert.Equal(6, results.Count(r => r.Error.Length == 0));
        var node = cluster.FindNode("n1")!;
        Assert.Equal(7, node.Pods.Count);
        Assert.True(node.Requested().FitsIn(node.Allocatable));
        Assert.Equal(0, ledger.RemainingMilli(node, "cpu"));
    }
}
