using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;

namespace Capstan.Sandbox.Tests.Cluster;

/// <summary>The in-memory cluster's lifecycle views, extra kinds and change feed.</summary>
public sealed class InMemoryClusterStateTests
{
    private static NodeView Node(string name) => new() { Name = name, Allocatable = ResourceList.Of("cpu", "4", "pods", "110") };

    private static List<ClusterChange> Drain(ClusterSubscription subscription)
    {
        var changes = new List<ClusterChange>();
        while (subscription.TryRead(out var change))
        {
            changes.Add(change);
        }

        return changes;
    }

    [Fact]
    public async Task PodLifecycle_IsKept_AndEveryStepIsSignalled()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Node("n1"));
        using var changes = cluster.Subscribe(c => c.Kind == ClusterObjectKind.Pod);
        var pod = new PodView { Request = new PodBuilder("web").Cpu("1").Build(), OwnerKind = "ReplicaSet", OwnerName = "web-1", Priority = 5 };

        cluster.UpsertPod(pod);
        var added = Drain(changes);
        cluster.UpsertPod(pod with { ScheduledStatus = "False", ScheduledReason = PodView.UnschedulableReason });
        var unschedulable = Drain(changes);
        var nodeBefore = cluster.FindNode("n1");
        await cluster.BindAsync("default", "web", "", "n1", CancellationToken.None);
        var bound = Drain(changes);

        Assert.Equal(ClusterChangeType.Added, Assert.Single(added).Type);
        Assert.True(Assert.Single(unschedulable).Pod!.IsUnschedulable);
        Assert.Equal(("n1", "True"), (Assert.Single(bound).Pod!.NodeName, bound[0].Pod!.ScheduledStatus));
        Assert.Equal("ReplicaSet", cluster.FindPodView("default", "web")!.OwnerKind);
        Assert.Empty(cluster.PendingPodViews());
        Assert.NotSame(nodeBefore, cluster.FindNode("n1"));
        Assert.Equal(["web"], cluster.FindNode("n1")!.Pods.Select(p => p.Name));
    }

    [Fact]
    public void LifecycleOnlyChange_OfABoundPod_KeepsTheNodeView_AndTheSamePodIsNoChange()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Node("n1"));
        var request = new PodBuilder("web").Cpu("1").Build();
        cluster.UpsertPod(new PodView { Request = request, NodeName = "n1", Phase = "Pending" });
        var node = cluster.FindNode("n1");
        using var changes = cluster.Subscribe();

        cluster.UpsertPod(new PodView { Request = request, NodeName = "n1", Phase = "Running" });
        cluster.UpsertPod(new PodView { Request = request, NodeName = "n1", Phase = "Running" });

        Assert.Same(node, cluster.FindNode("n1"));
        Assert.Equal("Running", Assert.Single(Drain(changes)).Pod!.Phase);
    }

    [Fact]
    public async Task NodeChanges_AreSignalled_WithBeforeAndAfter()
    {
        var cluster = new InMemoryCluster();
        using var changes = cluster.Subscribe(c => c.Kind == ClusterObjectKind.Node);

        cluster.UpsertNode(Node("n1"));
        cluster.UpsertNode(Node("n1")); // the same node: no change
        var added = Drain(changes);
        await cluster.CordonAsync("n1", CancellationToken.None);
        var cordoned = Drain(changes);
        await cluster.DeleteNodeAsync("n1", CancellationToken.None);
        var deleted = Drain(changes);

        Assert.Equal(ClusterChangeType.Added, Assert.Single(added).Type);
        Assert.True(Assert.Single(cordoned).Node!.Unschedulable);
        Assert.False(cordoned[0].PreviousNode!.Unschedulable);
        Assert.Equal(ClusterChangeType.Deleted, Assert.Single(deleted).Type);
    }

    [Fact]
    public void OtherKinds_AreHeldSorted_AndSignalled()
    {
        var cluster = new InMemoryCluster();
        using var changes = cluster.Subscribe(c => c.Kind != ClusterObjectKind.Pod && c.Kind != ClusterObjectKind.Node);

        cluster.UpsertNodeTemplate(new NodeTemplate { Name = "b", AmiFamily = "Bottlerocket" });
        cluster.UpsertNodeTemplate(new NodeTemplate { Name = "a" });
        cluster.UpsertDaemonSet(new PodBuilder("agent", "kube-system").Cpu("100m").Build());
        cluster.UpsertNamespace("shop", new Dictionary<string, string> { ["team"] = "x" });
        cluster.UpsertNamespace("shop", new Dictionary<string, string> { ["team"] = "x" }); // the same: no change
        cluster.UpsertDisruptionBudget(new DisruptionBudget
        {
            Namespace = "shop",
            Name = "web",
            Selector = LabelSelector.MatchLabels("app", "web"),
            MinAvailable = IntOrPercent.Parse("50%"),
            DisruptionsAllowed = 1,
        });

        Assert.Equal(["a", "b"], cluster.NodeTemplates().Select(t => t.Name));
        Assert.Equal("kube-system/agent", Assert.Single(cluster.DaemonSetPods()).Key);
        Assert.Equal("x", cluster.NamespaceLabels()["shop"]["team"]);
        Assert.Equal(1, Assert.Single(cluster.DisruptionBudgets()).DisruptionsAllowed);
        Assert.Equal(
            [ClusterObjectKind.NodeTemplate, ClusterObjectKind.NodeTemplate, ClusterObjectKind.DaemonSet, ClusterObjectKind.Namespace, ClusterObjectKind.DisruptionBudget],
            Drain(changes).Select(c => c.Kind));

        cluster.DeleteNodeTemplate("a");
        cluster.DeleteDaemonSet("kube-system", "agent");
        cluster.DeleteNamespace("shop");
        cluster.DeleteDisruptionBudget("shop", "web");

        Assert.Equal(["b"], cluster.NodeTemplates().Select(t => t.Name));
        Assert.Empty(cluster.DaemonSetPods());
        Assert.Empty(cluster.NamespaceLabels());
        Assert.Empty(cluster.DisruptionBudgets());
        Assert.All(Drain(changes), c => Assert.Equal(ClusterChangeType.Deleted, c.Type));
    }

    [Fact]
    public async Task EvictAndRemove_SignalDeletedPods()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Node("n1"));
        cluster.AddPod(new PodBuilder("a").Build(), "n1");
        cluster.AddPod(new PodBuilder("b").Build());
        using var changes = cluster.Subscribe(c => c.Type == ClusterChangeType.Deleted);

        Assert.True(await cluster.EvictAsync("default", "a", CancellationToken.None));
        Assert.True(cluster.RemovePod("default", "b"));

        Assert.Equal(["default/a", "default/b"], Drain(changes).Select(c => c.Key));
        Assert.Empty(cluster.FindNode("n1")!.Pods);
    }
}
