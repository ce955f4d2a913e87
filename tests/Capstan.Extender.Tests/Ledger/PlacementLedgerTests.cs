using Capstan.Core.Resources;
using Capstan.Extender.Ledger;
using Capstan.Extender.Wire;
using Capstan.Sandbox.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Extender.Tests.Ledger;

public sealed class PlacementLedgerTests
{
    private static readonly ResourceList s_oneCpu = ResourceList.Of("cpu", "1", "memory", "1Gi", "pods", "1");

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

    [Fact]
    public void TryReserve_SamePodTwice_IsHeldOnce()
    {
        var state = new LaggingClusterState(Builders.Node("n1", cpu: "2"));
        var sut = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));

        Assert.Equal(ReservationOutcome.Reserved, sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu).Outcome);
        Assert.Equal(ReservationOutcome.AlreadyHeld, sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu).Outcome);
        Assert.Equal(ReservationOutcome.Reserved, sut.TryReserve(state, "n1", "default", "b", "uid-b", s_oneCpu).Outcome);
        var full = sut.TryReserve(state, "n1", "default", "c", "uid-c", s_oneCpu);
        Assert.Equal(ReservationOutcome.NoRoom, full.Outcome);
        Assert.Equal("cpu", full.Resource);
    }

    [Fact]
    public async Task Entries_StopCountingOnceTheCacheShowsThePod()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Builders.Node("n1", cpu: "2"));
        cluster.AddPod(Builders.Pod("a"));
        var sut = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        sut.TryReserve(cluster, "n1", "default", "a", "uid-a", s_oneCpu);
        sut.Commit("n1", "default", "a", "uid-a", s_oneCpu);
        Assert.Equal(1000, sut.RemainingMilli(cluster.FindNode("n1")!, "cpu"));

        await cluster.BindAsync("default", "a", "uid-a", "n1", CancellationToken.None);

        // Counted once (by the cache), not twice.
        Assert.Equal(1000, sut.RemainingMilli(cluster.FindNode("n1")!, "cpu"));
        cluster.AddPod(Builders.Pod("b"));
        Assert.Equal(ReservationOutcome.Reserved, sut.TryReserve(cluster, "n1", "default", "b", "uid-b", s_oneCpu).Outcome);
        Assert.Equal(["b"], sut.EntriesFor("n1").Select(e => e.Name));
    }

    [Fact]
    public void Entries_ExpireAfterTheTtl()
    {
        var time = new FakeTimeProvider();
        var state = new LaggingClusterState(Builders.Node("n1", cpu: "1"));
        var sut = new PlacementLedger(time, TimeSpan.FromMinutes(2));
        sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu);
        sut.Commit("n1", "default", "a", "uid-a", s_oneCpu);
        Assert.Equal("default/a", "default/" + sut.EntriesFor("n1")[0].Name);
        Assert.Equal("n1", sut.BoundNodeOf("default", "a"));
        Assert.Equal(ReservationOutcome.NoRoom, sut.TryReserve(state, "n1", "default", "b", "uid-b", s_oneCpu).Outcome);

        time.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(1000, sut.RemainingMilli(state.FindNode("n1")!, "cpu"));
        Assert.Equal(ReservationOutcome.Reserved, sut.TryReserve(state, "n1", "default", "b", "uid-b", s_oneCpu).Outcome);
        Assert.Null(sut.BoundNodeOf("default", "a"));
    }
}
