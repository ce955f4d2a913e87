using Capstan.Core.Cluster;
using Capstan.Core.Placement;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Core.Tests.Placement;

public sealed class PlacementLedgerTests
{
    private static readonly ResourceList s_oneCpu = ResourceList.Of("cpu", "1", "memory", "1Gi", "pods", "1");

    [Fact]
    public void TryReserve_SamePodTwice_IsHeldOnce()
    {
        var state = new TestClusterState(Node("n1", cpu: "2"));
        IPlacementLedger sut = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));

        Assert.Equal(ReservationOutcome.Reserved, sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu).Outcome);
        Assert.Equal(ReservationOutcome.AlreadyHeld, sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu).Outcome);
        Assert.Equal(ReservationOutcome.Reserved, sut.TryReserve(state, "n1", "default", "b", "uid-b", s_oneCpu).Outcome);
        var full = sut.TryReserve(state, "n1", "default", "c", "uid-c", s_oneCpu);
        Assert.Equal(ReservationOutcome.NoRoom, full.Outcome);
        Assert.Equal("cpu", full.Resource);
        Assert.Equal(2, sut.Count);
    }

    [Fact]
    public void TryReserve_NodeUnknownToTheClusterState_IsNotChecked()
    {
        var sut = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));

        var reservation = sut.TryReserve(new TestClusterState(), "in-flight", "default", "a", "uid-a", ResourceList.Of("cpu", "64"));

        Assert.Equal(ReservationOutcome.Reserved, reservation.Outcome);
        Assert.Equal(["a"], sut.EntriesFor("in-flight").Select(e => e.Name));
    }

    [Fact]
    public void Entries_StopCountingOnceTheViewShowsThePod()
    {
        var state = new TestClusterState(Node("n1", cpu: "2"));
        var sut = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu);
        sut.Commit("n1", "default", "a", "uid-a", s_oneCpu);
        Assert.Equal(1000, sut.RemainingMilli(state.FindNode("n1")!, "cpu"));

        state.Show(Node("n1", cpu: "2", pods: [Pod("a")]));

        // Counted once (by the view), not twice; the next write prunes the entry.
        Assert.Equal(1000, sut.RemainingMilli(state.FindNode("n1")!, "cpu"));
        Assert.Empty(sut.Unseen(state.FindNode("n1")!));
        Assert.Equal(ReservationOutcome.Reserved, sut.TryReserve(state, "n1", "default", "b", "uid-b", s_oneCpu).Outcome);
        Assert.Equal(["b"], sut.EntriesFor("n1").Select(e => e.Name));
        Assert.Null(sut.BoundNodeOf("default", "a"));
    }

    [Fact]
    public void Entries_ExpireAfterTheTtl()
    {
        var time = new FakeTimeProvider();
        var state = new TestClusterState(Node("n1", cpu: "1"));
        var sut = new PlacementLedger(time, TimeSpan.FromMinutes(2));
        sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu);
        sut.Commit("n1", "default", "a", "uid-a", s_oneCpu);
        Assert.Equal("a", sut.EntriesFor("n1")[0].Name);
        Assert.Equal("n1", sut.BoundNodeOf("default", "a"));
        Assert.Equal(ReservationOutcome.NoRoom, sut.TryReserve(state, "n1", "default", "b", "uid-b", s_oneCpu).Outcome);

        time.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(1000, sut.RemainingMilli(state.FindNode("n1")!, "cpu"));
        Assert.Empty(sut.Unseen(state.FindNode("n1")!));
        Assert.Equal(ReservationOutcome.Reserved, sut.TryReserve(state, "n1", "default", "b", "uid-b", s_oneCpu).Outcome);
        Assert.Null(sut.BoundNodeOf("default", "a"));
    }

    [Fact]
    public void Release_FreesTheRoom_AndCommitAfterARelease_HoldsThePodAgain()
    {
        var state = new TestClusterState(Node("n1", cpu: "1"));
        var sut = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu);

        sut.Release("n1", "default", "a");

        Assert.Equal(0, sut.Count);
        Assert.Null(sut.FirstShortfall(state.FindNode("n1")!, PodDemand.Of(s_oneCpu)));

        sut.Commit("n1", "default", "a", "uid-a", s_oneCpu);

        var entry = Assert.Single(sut.EntriesFor("n1"));
        Assert.True(entry.Bound);
        Assert.Equal("cpu", sut.FirstShortfall(state.FindNode("n1")!, PodDemand.Of(s_oneCpu)));
    }

    [Fact]
    public void Unseen_AndOutstanding_CountOnlyLiveEntriesTheViewDoesNotShow()
    {
        var state = new TestClusterState(Node("n1", cpu: "8"));
        var sut = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu);
        sut.TryReserve(state, "n1", "default", "b", "uid-b", ResourceList.Of("cpu", "2"));
        var view = Node("n1", cpu: "8", pods: [Pod("a")]);

        var unseen = sut.Unseen(view);

        Assert.Equal(["b"], unseen.Select(e => e.Name));
        Assert.Equal(2000, sut.Outstanding([.. sut.EntriesFor("n1")], view, "cpu"));
        Assert.Equal(8000 - 1000 - 2000, sut.RemainingMilli(view, "cpu"));
    }

    [Fact]
    public void FindNode_IsNullBeforeTheFirstWrite_ThenTheSameHolder_AndNodeVersionMoves()
    {
        var state = new TestClusterState(Node("n1", cpu: "8"));
        var sut = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        var before = sut.NodeVersion;
        Assert.Null(sut.FindNode("n1"));

        sut.TryReserve(state, "n1", "default", "a", "uid-a", s_oneCpu);
        var holder = sut.FindNode("n1");
        sut.TryReserve(state, "n1", "default", "b", "uid-b", s_oneCpu);

        Assert.NotNull(holder);
        Assert.Same(holder, sut.FindNode("n1"));
        Assert.Equal(["a", "b"], holder.Entries.Select(e => e.Name));
        Assert.NotEqual(before, sut.NodeVersion);
    }

    private static NodeView Node(string name, string cpu, params PodRequest[] pods) => new()
    {
        Name = name,
        Allocatable = ResourceList.Of("cpu", cpu, "memory", "64Gi", "pods", "110"),
        Capacity = ResourceList.Of("cpu", cpu, "memory", "64Gi", "pods", "110"),
        Pods = pods,
    };

    private static PodRequest Pod(string name) => new()
    {
        Namespace = "default",
        Name = name,
        Uid = "uid-" + name,
        Requests = s_oneCpu,
    };
}
