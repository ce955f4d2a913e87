using Capstan.Core.Cluster;
using Capstan.Core.Scheduling;

namespace Capstan.Controllers.Tests;

public sealed class NodeLifecycleControllerTests
{
    private static readonly Taint s_agent = new("example.com/agent-not-ready", "", TaintEffect.NoSchedule);

    [Fact]
    public async Task ReadyNode_WithStartupTaintsGone_IsLabelledInitialized_AndLeavesFlight()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner(startupTaints: [s_agent]);
        h.AddUnschedulable("inflate", 1);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());

        h.Cluster.UpsertNode(h.Cluster.FindNode(node.Name)! with { Ready = true });
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);
        Assert.True(h.Cluster.FindNode(node.Name)!.InFlight);

        h.Register(node.Name);
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);

        var initialized = h.Cluster.FindNode(node.Name)!;
        Assert.Equal("true", initialized.Labels[Labels.Initialized]);
        Assert.False(initialized.InFlight);
    }

    [Fact]
    public async Task NodeNotInitializedWithinTheTtl_IsDeleted_ItsInstanceTerminated_ItsPodsFreed()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 2);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());

        h.Time.Advance(TimeSpan.FromMinutes(14));
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);
        Assert.NotNull(h.Cluster.FindNode(node.Name));

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);

        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Equal(0, h.Cloud.Running);
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Contains(h.Cluster.Events, e => e.Reason == "FailedRegistration" && e.Name == node.Name);
    }

    [Fact]
    public async Task DeletedNode_IsDrained_ThenItsInstanceTerminated_ThenTheFinalizerRemoved()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 2);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());
        h.Register(node.Name);
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);
        h.Cluster.BlockEviction("apps", "inflate-1");

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);

        var draining = h.Cluster.FindNode(node.Name)!;
        Assert.True(draining.Unschedulable);
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "inflate-1"));
        Assert.Equal(1, h.Cloud.Running);

        h.Cluster.RemovePod("apps", "inflate-1");
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);

        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Equal(0, h.Cloud.Running);
    }

    [Fact]
    public async Task NodeNotLaunchedByCapstan_IsLeftAlone()
    {
        using var h = new ControllerHarness();
        h.Cluster.UpsertNode(new NodeView { Name = "managed", CreatedAt = h.Time.GetUtcNow() });

        h.Time.Advance(TimeSpan.FromHours(1));
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);

        Assert.NotNull(h.Cluster.FindNode("managed"));
        Assert.False(h.Cluster.FindNode("managed")!.Labels.ContainsKey(Labels.Initialized));
    }
}
