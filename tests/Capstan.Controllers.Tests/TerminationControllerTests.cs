using Capstan.Core.Cluster;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Controllers.Tests;

public sealed class TerminationControllerTests
{
    private const string Terminated = "nodes.terminated.total";
    private const string Evictions = "evictions.total";

    [Fact]
    public async Task UserDelete_IsCordonedTainted_Drained_ItsInstanceTerminated_AndTheNodeGone()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await h.InitializedNodeAsync(2);
        h.AddRunningPod(node.Name, "fluent-bit-x7k2p", ownerKind: "DaemonSet");

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.TerminationPassAsync();

        var draining = h.Cluster.FindNode(node.Name)!;
        Assert.True(draining.Unschedulable);
        Assert.Contains(new Taint(Labels.DisruptionTaint, "", TaintEffect.NoSchedule), draining.Taints);
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-1"));
        Assert.Equal(1, h.Cloud.Running);
        Assert.Equal(2, recorder.Sum(Evictions, ("result", "evicted")));

        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Equal(0, h.Cloud.Running);
        Assert.Equal([node.ProviderId!], h.TerminationCloud.TerminateCalls);
        Assert.Equal(1, recorder.Sum(Terminated, ("reason", "user")));
        Assert.Equal(1, recorder.Sum(Terminated));
        Assert.Equal(
        [
            $"Cordoned node {node.Name}",
            $"Draining node {node.Name} (2 pod(s))",
            $"Evicted pod apps/inflate-0 from node {node.Name}",
            $"Evicted pod apps/inflate-1 from node {node.Name}",
            $"Terminated instance {node.ProviderId} of node {node.Name}",
            $"Deleted node {node.Name}",
        ], h.TerminationLog.Lines);
    }

    [Fact]
    public async Task CriticalPods_AreEvicted_OnlyOnceNoOtherPodIsLeft_TerminatingOnesIncluded()
    {
        using var h = new ControllerHarness();
        var node = await h.InitializedNodeAsync(2);
        h.AddRunningPod(node.Name, "coredns-5d78c", priority: 2_000_000_000);
        h.AddRunningPod(node.Name, "ebs-csi-node-9f2", priority: 2_000_001_000);
        var leaving = h.AddRunningPod(node.Name, "web-6f7d9");
        h.Cluster.UpsertPod(leaving with { DeletionTimestamp = h.Time.GetUtcNow() });

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-1"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "web-6f7d9"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "coredns-5d78c"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "ebs-csi-node-9f2"));

        // The terminating pod is waited for, not evicted again, and the critical pods wait with it.
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.TerminationPassAsync();
        Assert.NotNull(h.Cluster.FindPodView("apps", "web-6f7d9"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "coredns-5d78c"));

        h.Cluster.RemovePod("apps", "web-6f7d9");
        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindPodView("apps", "coredns-5d78c"));
        Assert.Null(h.Cluster.FindPodView("apps", "ebs-csi-node-9f2"));
        Assert.Equal(1, h.Cloud.Running);

        await h.TerminationPassAsync();
        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Equal(0, h.Cloud.Running);
    }

    [Fact]
    public async Task DaemonSetStaticAndFinishedPods_AreLeftOnTheNode_AndDoNotHoldItsTermination()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await h.InitializedNodeAsync(1);
        h.AddRunningPod(node.Name, "aws-node-4kq9z", ownerKind: "DaemonSet");
        h.AddRunningPod(node.Name, "kube-proxy-" + node.Name, ownerKind: "Node");
        h.AddRunningPod(node.Name, "report-28374", ownerKind: "Job", phase: "Succeeded");

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "aws-node-4kq9z"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "kube-proxy-" + node.Name));
        Assert.NotNull(h.Cluster.FindPodView("apps", "report-28374"));
        Assert.Equal(1, recorder.Sum(Evictions));

        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Equal(0, h.Cloud.Running);
        Assert.Equal(1, recorder.Sum(Evictions));
    }

    [Fact]
    public async Task DoNotEvictPod_BlocksTheDrain_WithOneEvent_UntilItIsGone()
    {
        using var h = new ControllerHarness();
        var node = await h.InitializedNodeAsync(2);
        h.AddRunningPod(node.Name, "migration-4x9", ownerKind: "Job", doNotEvict: true);

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            await h.TerminationPassAsync();
            h.Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.True(h.Cluster.FindNode(node.Name)!.Unschedulable);
        Assert.NotNull(h.Cluster.FindPodView("apps", "migration-4x9"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Equal(1, h.Cloud.Running);
        var blocked = Assert.Single(h.Cluster.Events, e => e.Reason == "DrainBlocked");
        Assert.Equal(node.Name, blocked.Name);
        Assert.Equal(ClusterEventType.Warning, blocked.Type);
        Assert.Contains("apps/migration-4x9", blocked.Message, StringComparison.Ordinal);

        h.Cluster.RemovePod("apps", "migration-4x9");
        await h.TerminationPassAsync();
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Equal(0, h.Cloud.Running);
        Assert.Single(h.Cluster.Events, e => e.Reason == "DrainBlocked");
    }

    [Fact]
    public async Task EvictionRefusedByADisruptionBudget_IsRetriedWithDoublingBackoff_NeverForced()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await h.InitializedNodeAsync(2);
        h.Cluster.BlockEviction("apps", "inflate-1");

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.TerminationPassAsync();
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Equal(1, recorder.Sum(Evictions, ("result", "blocked")));

        var attempts = 1L;
        foreach (var seconds in new[] { 1, 2, 4, 8, 16, 32, 60, 60 })
        {
            h.Time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
            await h.TerminationPassAsync();
            Assert.Equal(attempts, recorder.Sum(Evictions, ("result", "blocked")));

            h.Time.Advance(TimeSpan.FromMilliseconds(1));
            await h.TerminationPassAsync();
            Assert.Equal(++attempts, recorder.Sum(Evictions, ("result", "blocked")));
        }

        Assert.NotNull(h.Cluster.FindPodView("apps", "inflate-1"));
        Assert.NotNull(h.Cluster.FindNode(node.Name));
        Assert.Equal(1, h.Cloud.Running);
        Assert.Empty(h.TerminationCloud.TerminateCalls);

        // The budget's pods elsewhere became ready and its owner scaled it away: the drain completes.
        h.Cluster.RemovePod("apps", "inflate-1");
        await h.TerminationPassAsync();
        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Single(h.TerminationCloud.TerminateCalls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InstanceAlreadyGone_SkipsTheDrain_DeletesThePods_AndRemovesTheFinalizer(bool vanished)
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await h.InitializedNodeAsync(2);
        h.AddRunningPod(node.Name, "aws-node-4kq9z", ownerKind: "DaemonSet");
        h.Cluster.BlockEviction("apps", "inflate-0");
        if (vanished)
        {
            h.TerminationCloud.Vanished[node.ProviderId!] = true;
        }
        else
        {
            await h.Cloud.TerminateAsync(node.ProviderId!, CancellationToken.None);
        }

        // Another controller's finalizer keeps the Node object around, so what this one did to it stays visible.
        await h.Cluster.AddNodeFinalizerAsync(node.Name, "example.com/audit", CancellationToken.None);

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.TerminationPassAsync();

        var left = h.Cluster.FindNode(node.Name)!;
        Assert.DoesNotContain(Finalizers.Termination, left.Finalizers);
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-1"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "aws-node-4kq9z"));
        Assert.Equal(0, recorder.Sum(Evictions));
        Assert.Empty(h.TerminationCloud.TerminateCalls);
        Assert.Equal(1, recorder.Sum(Terminated, ("reason", "user")));
        Assert.Contains($"The instance of node {node.Name} is already gone; deleting its 2 pod(s) instead of draining them", h.TerminationLog.Lines);
    }

    [Fact]
    public async Task NewControllerAfterACrash_ResumesTheDrain_AndTerminatesTheInstanceExactlyOnce()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await h.InitializedNodeAsync(2);
        h.AddRunningPod(node.Name, "coredns-5d78c", priority: 2_000_000_000);

        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.TerminationPassAsync();
        Assert.Null(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.NotNull(h.Cluster.FindPodView("apps", "coredns-5d78c"));

        // Crash mid-drain: the next leader has only the cluster to go on.
        h.RestartTermination();
        await h.TerminationPassAsync();
        Assert.Null(h.Cluster.FindPodView("apps", "coredns-5d78c"));
        Assert.Equal(1, h.TerminationLog.Count("Cordoned node"));

        // It terminates the instance and crashes before it hears back.
        h.TerminationCloud.FailAfterTerminating = 1;
        await h.TerminationPassAsync();
        Assert.Equal(0, h.Cloud.Running);
        Assert.Contains(Finalizers.Termination, h.Cluster.FindNode(node.Name)!.Finalizers);

        h.RestartTermination();
        await h.TerminationPassAsync();
        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Equal([node.ProviderId!], h.TerminationCloud.TerminateCalls);
        Assert.Equal(1, recorder.Sum(Terminated, ("reason", "user")));
    }

    [Fact]
    public async Task TerminationReasonAnnotation_IsTheReasonCounted()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await h.InitializedNodeAsync(1);

        await h.Cluster.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.TerminationReason] = "consolidation" }, CancellationToken.None);
        await h.Cluster.DeleteNodeAsync(node.Name, CancellationToken.None);
        await h.TerminationPassAsync();
        await h.TerminationPassAsync();

        Assert.Null(h.Cluster.FindNode(node.Name));
        Assert.Equal(1, recorder.Sum(Terminated, ("reason", "consolidation")));
        Assert.Equal(0, recorder.Sum(Terminated, ("reason", "user")));
    }

    [Fact]
    public async Task NodeWithoutTheFinalizer_IsNoneOfItsBusiness()
    {
        using var h = new ControllerHarness();
        var node = await h.InitializedNodeAsync(1);
        h.Cluster.UpsertNode(h.Cluster.FindNode(node.Name)! with { Finalizers = ["example.com/protect"], MarkedForDeletion = true });

        await h.TerminationPassAsync();

        var untouched = h.Cluster.FindNode(node.Name)!;
        Assert.False(untouched.Unschedulable);
        Assert.DoesNotContain(untouched.Taints, t => t.Key == Labels.DisruptionTaint);
        Assert.NotNull(h.Cluster.FindPodView("apps", "inflate-0"));
        Assert.Equal(1, h.Cloud.Running);
    }

    [Fact]
    public async Task Loop_FinishesADeletionAsItsChangesArrive()
    {
        using var h = new ControllerHarness();
        var node = await h.InitializedNodeAsync(2);
        using var stop = new CancellationTokenSource();
        var loop = h.Termination.RunAsync(stop.Token);
        await Settle();

        // As the watch shows `kubectl delete node`: a deletion timestamp, the finalizer still on.
        h.Cluster.UpsertNode(h.Cluster.FindNode(node.Name)! with { MarkedForDeletion = true });
        await Until(() => h.Cluster.FindNode(node.Name) is null);

        Assert.Equal(0, h.Cloud.Running);
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task Loop_RetriesARefusedEviction_WhenItsBackoffEnds()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await h.InitializedNodeAsync(2);
        h.Cluster.BlockEviction("apps", "inflate-1");
        using var stop = new CancellationTokenSource();
        var loop = h.Termination.RunAsync(stop.Token);
        await Settle();

        h.Cluster.UpsertNode(h.Cluster.FindNode(node.Name)! with { MarkedForDeletion = true });
        await Until(() => recorder.Sum(Evictions, ("result", "blocked")) == 1);
        await Settle();
        Assert.Equal(1, recorder.Sum(Evictions, ("result", "blocked")));

        // Well before the full pass (10 s): only the backoff's timer can wake the loop.
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await Until(() => recorder.Sum(Evictions, ("result", "blocked")) == 2);

        await stop.CancelAsync();
        await loop;
    }

    private static Task Settle() => Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
        }

        Assert.True(condition());
    }
}
