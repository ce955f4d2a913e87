using Capstan.Core.Cluster;
using Capstan.Core.Resources;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;

namespace Capstan.Sandbox.Tests.Cluster;

public sealed class InMemoryClusterTests
{
    private static NodeView Node(string name) => new()
    {
        Name = name,
        Allocatable = ResourceList.Of("cpu", "4", "memory", "16Gi", "pods", "110"),
    };

    [Fact]
    public async Task Slot_FollowsTheNodeAndItsPods_AndIsClearedWhenTheNodeIsDeleted()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Node("a"));
        cluster.UpsertNode(Node("b"));
        cluster.AddPod(new PodBuilder("web").Cpu("1").Build());
        var slot = cluster.FindSlot("a")!;
        var empty = slot.View;

        await cluster.BindAsync("default", "web", "", "a", CancellationToken.None);
        var bound = slot.View;
        cluster.AddPod(new PodBuilder("other").Cpu("1").Build(), "b");
        await cluster.CordonAsync("a", CancellationToken.None);
        var cordoned = slot.View;
        await cluster.DeleteNodeAsync("a", CancellationToken.None);

        Assert.Empty(empty!.Pods);
        Assert.Equal(["web"], bound!.Pods.Select(p => p.Name));
        Assert.True(cordoned!.Unschedulable);
        Assert.Equal(["web"], cordoned.Pods.Select(p => p.Name));
        Assert.Null(slot.View);
        Assert.Null(cluster.FindSlot("a"));
        Assert.Null(cluster.FindNode("a"));
    }

    [Fact]
    public void View_IsReplacedOnlyWhenItsNodeOrItsPodsChange()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Node("a"));
        cluster.UpsertNode(Node("b"));
        var before = cluster.FindNode("a");

        cluster.AddPod(new PodBuilder("on-b").Build(), "b");
        cluster.AddPod(new PodBuilder("pending").Build());
        var unrelated = cluster.FindNode("a");
        cluster.AddPod(new PodBuilder("on-a").Build(), "a");
        var related = cluster.FindNode("a");
        cluster.RemovePod("default", "on-a");

        Assert.Same(before, unrelated);
        Assert.NotSame(before, related);
        Assert.Equal(["on-a"], related!.Pods.Select(p => p.Name));
        Assert.Empty(cluster.FindNode("a")!.Pods);
    }

    [Fact]
    public async Task PodsBoundBeforeTheirNodeAppears_AreOnItsFirstView_AndANodeCreatedAgainGetsANewSlot()
    {
        var cluster = new InMemoryCluster();
        cluster.AddPod(new PodBuilder("early").Build(), "a");
        cluster.UpsertNode(Node("a"));
        var first = cluster.FindSlot("a")!;
        var firstView = first.View;
        await cluster.DeleteNodeAsync("a", CancellationToken.None);
        cluster.UpsertNode(Node("a"));

        var second = cluster.FindSlot("a")!;

        Assert.Equal(["early"], firstView!.Pods.Select(p => p.Name));
        Assert.NotSame(first, second);
        Assert.Null(first.View);
        Assert.Empty(second.View!.Pods);
    }

    [Fact]
    public async Task WriterCalls_ChangeTheNodeView_AndDeletionWaitsForFinalizers()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertProvisioner(new Core.Provisioning.Provisioner { Name = "default" });
        await cluster.CreateNodeAsync(Node("n1") with { Finalizers = [Finalizers.Termination] }, CancellationToken.None);

        Assert.True(await cluster.SetNodeLabelsAsync("n1", new Dictionary<string, string?> { ["karpenter.sh/initialized"] = "true" }, CancellationToken.None));
        Assert.True(await cluster.AddNodeTaintAsync("n1", new Core.Scheduling.Taint("k", "v", Core.Scheduling.TaintEffect.NoSchedule), CancellationToken.None));
        Assert.True(await cluster.PatchProvisionerStatusAsync("default", ResourceList.Of("cpu", "4"), CancellationToken.None));
        Assert.False(await cluster.PatchProvisionerStatusAsync("gone", ResourceList.Of("cpu", "4"), CancellationToken.None));
        await cluster.RecordEventAsync(new ClusterEvent { Kind = EventObjectKind.Node, Name = "n1", Reason = "Launched", Message = "m" }, CancellationToken.None);
        await cluster.DeleteNodeAsync("n1", CancellationToken.None);

        var marked = cluster.FindNode("n1")!;
        Assert.True(marked.MarkedForDeletion);
        Assert.Equal("true", marked.Labels["karpenter.sh/initialized"]);
        Assert.Equal("k=v:NoSchedule", Assert.Single(marked.Taints).ToString());
        Assert.Equal(ResourceList.Of("cpu", "4"), cluster.ProvisionerStatus("default"));
        Assert.Equal("Launched", Assert.Single(cluster.Events).Reason);

        Assert.True(await cluster.RemoveNodeFinalizerAsync("n1", Finalizers.Termination, CancellationToken.None));

        Assert.Null(cluster.FindNode("n1"));
    }
}
