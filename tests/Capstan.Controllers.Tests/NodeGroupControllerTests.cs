using Capstan.Controllers.NodeGroups;
using Capstan.Core.Cluster;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Controllers.Tests;

/// <summary>
/// Node groups scaled through the real controllers on a fake clock: the seed's scale-up, capacity counted as in flight
/// across batches, the registration timeout, groups next to provisioners, and every scale-down rule.
/// </summary>
public sealed class NodeGroupControllerTests
{
    /// <summary>Group 2 at two registered, listed, empty nodes.</summary>
    private static async Task<(NodeView First, NodeView Second)> TwoGroup2NodesAsync(ControllerHarness h)
    {
        h.NodeGroups.Put(h.NodeGroups["eks-group2"] with { DesiredCapacity = 2 });
        var first = h.RegisterGroupNode("eks-group2");
        var second = h.RegisterGroupNode("eks-group2");
        await h.Registry.RefreshAsync(CancellationToken.None);
        return (first, second);
    }

    [Fact]
    public async Task PendingPodsForAGroupAtZeroSetItsDesiredCapacityWithoutLaunchingOrBinding()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        h.AddGroupPods("inflate", 5);

        await h.PassAsync();

        Assert.Equal([("eks-group2", 2)], h.NodeGroups.SetDesiredCalls);
        Assert.Empty(h.Cloud.Requests);
        Assert.Empty(h.Cluster.Nodes());
        Assert.All(h.Cluster.PendingPodViews(), p => Assert.Null(p.NodeName));
        Assert.Equal(5, h.Cluster.Events.Count(e => e.Reason == "TriggeredScaleUp"
            && e.Message == "pod triggered scale-up: [{eks-group2 0->2 (max: 10)}]"));
        Assert.Equal(2, recorder.Sum("nodegroup.scale.total", ("group", "eks-group2"), ("direction", "up")));
        recorder.Collect();
        Assert.Equal(2, recorder.Last("nodegroup.size", ("group", "eks-group2"), ("kind", "desired")));
        Assert.Equal(10, recorder.Last("nodegroup.size", ("group", "eks-group2"), ("kind", "max")));
    }

    [Fact]
    public async Task CapacityAskedForIsInFlightSoTheNextBatchOnlyAsksForTheRest()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        h.AddGroupPods("first", 5);
        await h.PassAsync();

        // The same pods again (kube-scheduler re-marks them), then three more: 5 + 3 pods at 3 per node need 3 nodes.
        await h.PassAsync();
        h.AddGroupPods("second", 3);
        await h.PassAsync();

        Assert.Equal([("eks-group2", 2), ("eks-group2", 3)], h.NodeGroups.SetDesiredCalls);
    }

    [Fact]
    public async Task RegisteredNodesReplaceTheCapacityTheyWereAskedAs()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        var pods = h.AddGroupPods("inflate", 5);
        await h.PassAsync();
        var first = h.RegisterGroupNode("eks-group2");
        var second = h.RegisterGroupNode("eks-group2");
        await h.Registry.RefreshAsync(CancellationToken.None);

        Assert.Empty(h.Registry.Upcoming(h.Cluster.Nodes()));
        foreach (var (pod, i) in pods.Select((p, i) => (p, i)))
        {
            h.ScheduleOn(i < 3 ? first.Name : second.Name, pod);
        }

        h.AddGroupPods("more", 1);
        await h.PassAsync();
        Assert.Equal([("eks-group2", 2)], h.NodeGroups.SetDesiredCalls);
        Assert.Single(h.Cluster.PendingPods());
    }

    [Fact]
    public async Task NodesThatNeverComeAreTakenBackAfterTheScaleUpTimeout_AndTheGroupIsBackedOff()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        h.AddGroupPods("inflate", 2);
        await h.PassAsync();

        h.Time.Advance(TimeSpan.FromMinutes(14));
        await h.PassAsync();
        Assert.Equal([("eks-group2", 1)], h.NodeGroups.SetDesiredCalls);
        Assert.Null(h.Registry.BackedOffUntil("eks-group2"));

        // At the timeout the node asked for is taken back (not asked again on top of it), and the group rests.
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.PassAsync();
        Assert.Equal([("eks-group2", 1), ("eks-group2", 0)], h.NodeGroups.SetDesiredCalls);
        Assert.Equal(0, h.NodeGroups["eks-group2"].DesiredCapacity);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(5), h.Registry.BackedOffUntil("eks-group2"));
        Assert.Empty(h.Registry.Upcoming(h.Cluster.Nodes()));

        h.Time.Advance(TimeSpan.FromMinutes(4));
        await h.PassAsync();
        Assert.Equal(2, h.NodeGroups.SetDesiredCalls.Count);
        recorder.Collect();
        Assert.Equal(60, recorder.Last("nodegroup.backoff.seconds", ("group", "eks-group2")));
        Assert.Equal(0, recorder.Last("nodegroup.backoff.seconds", ("group", "eks-group1")));

        // After the back-off the group is tried again; failing again soon after doubles the rest.
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.PassAsync();
        Assert.Equal(("eks-group2", 1), h.NodeGroups.SetDesiredCalls[^1]);
        h.Time.Advance(TimeSpan.FromMinutes(15));
        await h.PassAsync();
        Assert.Equal(("eks-group2", 0), h.NodeGroups.SetDesiredCalls[^1]);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(10), h.Registry.BackedOffUntil("eks-group2"));
    }

    [Fact]
    public async Task ATimedOutScaleUpTakesBackOnlyTheNodesThatDidNotCome_AndACompletedOneEndsTheBackoff()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups(new NodeGroupOptions { Enabled = true, InitialBackoff = TimeSpan.FromMinutes(2), MaxBackoff = TimeSpan.FromMinutes(3) });
        var pods = h.AddGroupPods("inflate", 5);
        await h.PassAsync();
        Assert.Equal([("eks-group2", 2)], h.NodeGroups.SetDesiredCalls);

        var node = h.RegisterGroupNode("eks-group2");
        await h.Registry.RefreshAsync(CancellationToken.None);
        foreach (var pod in pods.Take(3))
        {
            h.ScheduleOn(node.Name, pod);
        }

        h.Time.Advance(TimeSpan.FromMinutes(15));
        await h.PassAsync();
        Assert.Equal(("eks-group2", 1), h.NodeGroups.SetDesiredCalls[^1]);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(2), h.Registry.BackedOffUntil("eks-group2"));

        // The next try completes: the back-off history is gone, so a later failure starts again at the initial rest.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.PassAsync();
        Assert.Equal(("eks-group2", 2), h.NodeGroups.SetDesiredCalls[^1]);
        var second = h.RegisterGroupNode("eks-group2");
        await h.Registry.RefreshAsync(CancellationToken.None);
        foreach (var pod in pods.Skip(3))
        {
            h.ScheduleOn(second.Name, pod);
        }

        Assert.Empty(h.Registry.Upcoming(h.Cluster.Nodes()));
        // One of four more fits beside the second node's two pods; the other three ask for a third node.
        h.AddGroupPods("more", 4);
        await h.PassAsync();
        Assert.Equal(("eks-group2", 3), h.NodeGroups.SetDesiredCalls[^1]);
        h.Time.Advance(TimeSpan.FromMinutes(15));
        await h.PassAsync();
        Assert.Equal(("eks-group2", 2), h.NodeGroups.SetDesiredCalls[^1]);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(2), h.Registry.BackedOffUntil("eks-group2"));
    }

    [Fact]
    public async Task AScaleUpTheGroupRefusesBacksTheGroupOff_AThrottledOneDoesNot()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        h.AddGroupPods("inflate", 2);
        await h.Registry.RefreshAsync(CancellationToken.None);
        // The group's max went down since it was listed: Auto Scaling refuses the new desired capacity.
        h.NodeGroups.Put(h.NodeGroups["eks-group2"] with { MaxSize = 0 });

        await h.PassAsync();
        Assert.Equal([("eks-group2", 1)], h.NodeGroups.SetDesiredCalls);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(5), h.Registry.BackedOffUntil("eks-group2"));
        await h.PassAsync();
        Assert.Single(h.NodeGroups.SetDesiredCalls);

        h.NodeGroups.Put(h.NodeGroups["eks-group2"] with { MaxSize = 10 });
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.PassAsync();
        Assert.Equal(("eks-group2", 1), h.NodeGroups.SetDesiredCalls[^1]);
        Assert.Null(h.Registry.BackedOffUntil("eks-group2"));
    }

    [Fact]
    public async Task WithBalancing_AScaleUpIsSpreadOverTheSimilarGroups_EachPodToldItsGroup()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups(new NodeGroupOptions { Enabled = true, BalanceSimilarNodeGroups = true });
        h.NodeGroups.Put(h.NodeGroups["eks-group2"] with { Name = "eks-group2-b" });
        h.AddGroupPods("inflate", 6);

        await h.PassAsync();

        Assert.Equal([("eks-group2", 1), ("eks-group2-b", 1)], h.NodeGroups.SetDesiredCalls.OrderBy(c => c.Group, StringComparer.Ordinal));
        var events = h.Cluster.Events.Where(e => e.Reason == "TriggeredScaleUp").Select(e => e.Message).ToList();
        Assert.Equal(3, events.Count(m => m == "pod triggered scale-up: [{eks-group2 0->1 (max: 10)}]"));
        Assert.Equal(3, events.Count(m => m == "pod triggered scale-up: [{eks-group2-b 0->1 (max: 10)}]"));
    }

    [Fact]
    public async Task ARefusedScaleUpLeavesThePodsForTheNextBatch()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        h.NodeGroups.FailSetDesired = "Rate exceeded";
        h.AddGroupPods("inflate", 2);

        await h.PassAsync();
        Assert.Equal(2, h.Batcher.Count);
        Assert.Empty(h.Registry.Upcoming(h.Cluster.Nodes()));
        Assert.Null(h.Registry.BackedOffUntil("eks-group2"));

        h.NodeGroups.FailSetDesired = null;
        await h.PassAsync();
        Assert.Equal(("eks-group2", 1), h.NodeGroups.SetDesiredCalls[^1]);
    }

    [Fact]
    public async Task GroupPodsAndProvisionerPodsAreServedInOnePass()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        h.AddProvisioner();
        h.AddUnschedulable("apps", 3);
        h.AddGroupPods("inflate", 3);

        await h.PassAsync();

        Assert.Equal([("eks-group2", 1)], h.NodeGroups.SetDesiredCalls);
        Assert.Single(h.CapstanNodes());
        Assert.Equal(3, h.Cluster.PendingPodViews().Count(p => p.NodeName is null));
    }

    [Fact]
    public async Task AnEmptyGroupNodeIsRemovedAfterTheUnneededTimeThroughItsGroup()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        h.NodeGroups.Put(h.NodeGroups["eks-group2"] with { DesiredCapacity = 1 });
        var node = h.RegisterGroupNode("eks-group2");
        await h.Registry.RefreshAsync(CancellationToken.None);

        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        Assert.Contains(node.Name, h.ScaleDown.Unneeded.Keys);
        h.Time.Advance(TimeSpan.FromMinutes(9));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        Assert.False(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        var deleting = h.Cluster.FindNode(node.Name)!;
        Assert.True(deleting.MarkedForDeletion);
        Assert.Equal(NodeGroupScaleDownController.EmptyReason, deleting.Annotations[Labels.TerminationReason]);

        await h.TerminationPassAsync();
        Assert.Equal([node.ProviderId!.Split('/')[^1]], h.NodeGroups.TerminateCalls);
        Assert.Equal(0, h.NodeGroups["eks-group2"].DesiredCapacity);
        Assert.Empty(h.TerminationCloud.TerminateCalls);
        Assert.Null(h.Cluster.FindNode(node.Name));
    }

    [Fact]
    public async Task AGroupNeverGoesBelowItsMinimum()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        var node = h.RegisterGroupNode("eks-group1");
        await h.Registry.RefreshAsync(CancellationToken.None);

        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);

        Assert.Contains(node.Name, h.ScaleDown.Unneeded.Keys);
        Assert.False(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);
    }

    [Fact]
    public async Task ScaleDownWaitsTheDelayAfterAScaleUp()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        h.NodeGroups.Put(h.NodeGroups["eks-group2"] with { DesiredCapacity = 1 });
        var node = h.RegisterGroupNode("eks-group2");
        await h.Registry.RefreshAsync(CancellationToken.None);
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        h.AddUnschedulable("elsewhere", 1);
        h.AddGroupPods("burst", 4);
        await h.PassAsync();
        Assert.NotEmpty(h.NodeGroups.SetDesiredCalls);

        h.Time.Advance(TimeSpan.FromMinutes(9));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        Assert.False(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        Assert.True(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);
    }

    [Fact]
    public async Task ABusyNodeIsNeeded()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        var (busy, _) = await TwoGroup2NodesAsync(h);
        foreach (var pod in h.AddGroupPods("inflate", 2))
        {
            h.ScheduleOn(busy.Name, pod);
        }

        await h.ScaleDown.ReconcileAsync(CancellationToken.None);

        // 2 of 3.5 vCPU is 57%, above the 50% threshold: only the other, empty node is unneeded.
        Assert.DoesNotContain(busy.Name, h.ScaleDown.Unneeded.Keys);
        Assert.Single(h.ScaleDown.Unneeded);
    }

    [Fact]
    public async Task AnUnderusedNodeIsDrainedWhenItsPodsFitOnAnotherOne()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        var (light, other) = await TwoGroup2NodesAsync(h);
        var pods = h.AddGroupPods("inflate", 2);
        h.ScheduleOn(light.Name, pods[0]);
        h.ScheduleOn(other.Name, pods[1]);

        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);

        // Both are at 29%; one goes (by name), the other takes its pod; never both at once.
        Assert.Single(h.Cluster.Nodes(), n => n.MarkedForDeletion);
        Assert.Equal(NodeGroupScaleDownController.UnderutilizedReason, h.Cluster.FindNode(light.Name)!.Annotations[Labels.TerminationReason]);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        Assert.False(h.Cluster.FindNode(other.Name)!.MarkedForDeletion);
    }

    [Theory]
    [InlineData("scale-down-disabled")]
    [InlineData("safe-to-evict-false")]
    [InlineData("no-controller")]
    [InlineData("local-storage")]
    [InlineData("budget-at-zero")]
    public async Task BlockersKeepTheNode(string blocker)
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        var (node, _) = await TwoGroup2NodesAsync(h);
        var pod = h.AddGroupPods("inflate", 1)[0];
        switch (blocker)
        {
            case "scale-down-disabled":
                h.Cluster.UpsertNode(h.Cluster.FindNode(node.Name)! with
                {
                    Annotations = new Dictionary<string, string> { [NodeGroupScaleDownController.ScaleDownDisabledAnnotation] = "true" },
                });
                h.ScheduleOn(node.Name, pod);
                break;
            case "safe-to-evict-false":
                h.ScheduleOn(node.Name, pod with { SafeToEvict = false });
                break;
            case "no-controller":
                h.ScheduleOn(node.Name, pod, ownerKind: null);
                break;
            case "local-storage":
                h.ScheduleOn(node.Name, pod with { HasLocalStorage = true });
                break;
            case "budget-at-zero":
                h.Cluster.UpsertDisruptionBudget(new DisruptionBudget
                {
                    Namespace = "apps",
                    Name = "inflate",
                    Selector = LabelSelector.MatchLabels(pod.Labels),
                    DisruptionsAllowed = 0,
                });
                h.ScheduleOn(node.Name, pod);
                break;
        }

        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(30));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);

        Assert.False(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);
    }

    [Fact]
    public async Task SafeToEvictTrueLetsAPodWithoutAControllerMove()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        var (node, _) = await TwoGroup2NodesAsync(h);
        h.ScheduleOn(node.Name, h.AddGroupPods("inflate", 1)[0] with { SafeToEvict = true, HasLocalStorage = true }, ownerKind: null);

        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);

        Assert.Single(h.Cluster.Nodes(), n => n.MarkedForDeletion);
    }

    [Fact]
    public async Task EmptyNodesGoInBulkUpToTheLimit()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups(new NodeGroupOptions { Enabled = true, MaxEmptyBulkDelete = 3 });
        h.NodeGroups.Put(h.NodeGroups["eks-group2"] with { DesiredCapacity = 5 });
        for (var i = 0; i < 5; i++)
        {
            h.RegisterGroupNode("eks-group2");
        }

        await h.Registry.RefreshAsync(CancellationToken.None);
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.ScaleDown.ReconcileAsync(CancellationToken.None);

        Assert.Equal(3, h.Cluster.Nodes().Count(n => n.MarkedForDeletion));
    }

    [Fact]
    public async Task ARefreshIsAskedForWhenAnUnknownInstanceRegisters()
    {
        using var h = new ControllerHarness();
        h.EnableNodeGroups();
        var refresh = new NodeGroupController(h.Registry, h.Cluster, h.NodeGroupOptions, h.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<NodeGroupController>.Instance);
        await refresh.ReconcileAsync(CancellationToken.None);
        Assert.Equal(1, h.NodeGroups.DiscoverCalls);

        h.Time.Advance(TimeSpan.FromSeconds(10));
        await refresh.ReconcileAsync(CancellationToken.None);
        Assert.Equal(1, h.NodeGroups.DiscoverCalls);

        var node = h.RegisterGroupNode("eks-group2");
        await refresh.ReconcileAsync(CancellationToken.None);
        Assert.Equal(2, h.NodeGroups.DiscoverCalls);
        Assert.Equal("eks-group2", h.Registry.GroupOf(node)?.Name);

        // A node no group has is asked about once, not on every check.
        h.Cloud.RunOrphan(null);
        h.Cluster.UpsertNode(new NodeView { Name = "stranger", ProviderId = "aws:///us-east-1a/i-stranger", Ready = true });
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await refresh.ReconcileAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await refresh.ReconcileAsync(CancellationToken.None);
        Assert.Equal(3, h.NodeGroups.DiscoverCalls);
    }
}
