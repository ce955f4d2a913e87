using Capstan.Core.Cluster;
using Capstan.Core.Scheduling;
using Capstan.Testing;

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
    public async Task NodeNotInitializedWithinTheTtl_IsDeletedForRegistration_ItsInstanceTerminated_ItsPodsFreed()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 2);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());

        h.Time.Advance(TimeSpan.FromMinutes(14));
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);
        Assert.NotNull(h.Cluster.FindNode(node.Name));
        Assert.False(h.Cluster.FindNode(node.Name)!.Annotations.ContainsKey(Labels.TerminationReason));

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);

        var deleted = h.Cluster.FindNode(node.Name)!;
        Assert.True(deleted.MarkedForDeletion);
        Assert.Equal("registration", deleted.Annotations[Labels.TerminationReason]);
        Assert.Equal(0, h.Cloud.Running);
        Assert.Contains(h.Cluster.Events, e => e.Reason == "FailedRegistration" && e.Name == node.Name);

        // The termination controller finishes the deletion: the instance is gone, so the pods are deleted, not drained.
        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Equal(1, recorder.Sum("nodes.terminated.total", ("reason", "registration")));
        Assert.Empty(h.TerminationCloud.TerminateCalls);
    }

    [Fact]
    public async Task DeletedNode_IsLeftToTheTerminationController_EvenPastItsRegistrationTtl()
    {
        using var h = new ControllerHarness();
        h.AddProvisioner();
        h.AddUnschedulable("inflate", 1);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);

        var deleted = h.Cluster.FindNode(node.Name)!;
        Assert.False(deleted.Unschedulable);
        Assert.False(deleted.Annotations.ContainsKey(Labels.TerminationReason));
        Assert.NotNull(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Equal(1, h.Cloud.Running);
        Assert.DoesNotContain(h.Cluster.Events, e => e.Reason == "FailedRegistration");
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
