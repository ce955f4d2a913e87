using Capstan.Controllers.Disruption;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Controllers.Tests;

public sealed class InterruptionControllerTests
{
    private const string Interruptions = "interruption.messages.total";

    [Theory]
    [InlineData(InterruptionKind.SpotInterrupted, "spot")]
    [InlineData(InterruptionKind.ScheduledChange, "scheduled-change")]
    [InlineData(InterruptionKind.InstanceStopped, "stopping")]
    [InlineData(InterruptionKind.InstanceTerminated, "terminating")]
    public async Task DisruptiveKinds_CordonAnnotateAndDeleteTheNode_AndCompleteTheMessage(InterruptionKind kind, string label)
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await RunningNodeAsync(h);
        var source = new FakeInterruptionSource(h.Time);
        var message = source.Send(kind, InstanceId(node));

        await h.NewInterruption(source).PollAsync(CancellationToken.None);

        var interrupted = h.Cluster.FindNode(node.Name)!;
        Assert.True(interrupted.Unschedulable);
        Assert.True(interrupted.MarkedForDeletion);
        Assert.Equal("interruption", interrupted.Annotations[Labels.DisruptionAnnotation]);
        Assert.Equal("interruption", interrupted.Annotations[Labels.TerminationReason]);
        var warning = Assert.Single(h.Cluster.Events, e => e.Reason == "Interrupted");
        Assert.Equal((EventObjectKind.Node, node.Name, ClusterEventType.Warning), (warning.Kind, warning.Name, warning.Type));
        Assert.Contains(kind == InterruptionKind.SpotInterrupted ? "deadline 2026-12-02 08:02:00Z" : "deadline none announced", warning.Message, StringComparison.Ordinal);
        Assert.Equal(message, Assert.Single(source.Completed));
        Assert.Equal(1, recorder.Sum(Interruptions, ("kind", label)));
        Assert.Equal(kind == InterruptionKind.SpotInterrupted ? 1 : 0, h.Cloud.MarkedUnavailable.Count);
    }

    [Fact]
    public async Task SpotInterruption_MarksTheOfferingUnavailable_AndTheNextPassLaunchesAReplacement_WhileTheOldNodeIsStillThere()
    {
        using var h = new ControllerHarness(ControllerHarness.SpotTypes());
        h.AddSpotProvisioner();
        var node = await RunningNodeAsync(h);
        var offering = (node.Labels[Labels.InstanceType], node.Labels[Labels.Zone], node.Labels[Labels.CapacityType]);
        var source = new FakeInterruptionSource(h.Time);
        source.Send(InterruptionKind.SpotInterrupted, InstanceId(node));

        await h.NewInterruption(source).PollAsync(CancellationToken.None);
        await h.PassAsync();

        var (mark, reason) = Assert.Single(h.Cloud.MarkedUnavailable);
        Assert.Equal($"{offering.Item1}/{offering.Item2}/{Labels.CapacityTypeSpot}", mark);
        Assert.Equal(InterruptionController.SpotInterruptionReason, reason);
        Assert.Equal(2, h.Cloud.Requests.Count);
        Assert.NotNull(h.Cluster.FindNode(node.Name));
        Assert.Equal(["apps/inflate-0", "apps/inflate-1"], h.Cluster.FindNode(node.Name)!.Pods.Select(p => p.Key).Order(StringComparer.Ordinal));
        var replacement = Assert.Single(h.CapstanNodes(), n => n.Name != node.Name);
        Assert.NotEqual(offering, (replacement.Labels[Labels.InstanceType], replacement.Labels[Labels.Zone], replacement.Labels[Labels.CapacityType]));
        Assert.False(replacement.MarkedForDeletion);
    }

    [Fact]
    public async Task DaemonSetPods_AreNotDisplaced()
    {
        using var h = new ControllerHarness();
        var node = await RunningNodeAsync(h);
        foreach (var pod in h.Cluster.FindNode(node.Name)!.Pods)
        {
            h.Cluster.RemovePod(pod.Namespace, pod.Name);
        }

        var agent = new PodBuilder("agent-x1", "kube-system").Cpu("100m").Build();
        h.Cluster.UpsertPod(new PodView { Request = agent, NodeName = node.Name, Phase = "Running", OwnerKind = "DaemonSet", OwnerName = "agent" });
        var source = new FakeInterruptionSource(h.Time);
        source.Send(InterruptionKind.SpotInterrupted, InstanceId(node));

        await h.NewInterruption(source).PollAsync(CancellationToken.None);
        await h.PassAsync();

        Assert.True(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);
        Assert.Single(h.Cloud.Requests);
    }

    [Fact]
    public async Task RebalanceRecommendation_OnlyRecordsAnEventAndTheMetric()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await RunningNodeAsync(h);
        var source = new FakeInterruptionSource(h.Time);
        source.Send(InterruptionKind.RebalanceRecommendation, InstanceId(node));
        var before = h.Cluster.Events.Count;

        await h.NewInterruption(source).PollAsync(CancellationToken.None);
        await h.PassAsync();

        var untouched = h.Cluster.FindNode(node.Name)!;
        Assert.False(untouched.Unschedulable);
        Assert.False(untouched.MarkedForDeletion);
        Assert.False(untouched.Annotations.ContainsKey(Labels.DisruptionAnnotation));
        var normal = Assert.Single(h.Cluster.Events.Skip(before));
        Assert.Equal(("RebalanceRecommendation", ClusterEventType.Normal), (normal.Reason, normal.Type));
        Assert.Single(source.Completed);
        Assert.Single(h.Cloud.Requests);
        Assert.Empty(h.Cloud.MarkedUnavailable);
        Assert.Equal(1, recorder.Sum(Interruptions, ("kind", "rebalance")));
    }

    [Fact]
    public async Task MessagesAboutInstancesWithoutACapstanNode_AreCompletedAndCountedIgnored()
    {
        using var h = new ControllerHarness();
        using var recorder = new MeasurementRecorder(ProvisioningMetrics.MeterName, h.MeterFactory);
        var node = await RunningNodeAsync(h);
        h.Cluster.UpsertNode(new NodeView { Name = "ip-10-0-9-9.ec2.internal", ProviderId = "aws:///us-east-1a/i-0000000000000beef", Ready = true });
        var source = new FakeInterruptionSource(h.Time);
        source.Send(InterruptionKind.SpotInterrupted, "i-0000000000000beef");
        source.Send(InterruptionKind.InstanceTerminated, "i-00000000000000404");
        var before = h.Cluster.Events.Count;

        await h.NewInterruption(source).PollAsync(CancellationToken.None);

        Assert.Equal(2, source.Completed.Count);
        Assert.Empty(source.Invisible);
        Assert.False(h.Cluster.FindNode("ip-10-0-9-9.ec2.internal")!.Unschedulable);
        Assert.False(h.Cluster.FindNode(node.Name)!.Unschedulable);
        Assert.Equal(before, h.Cluster.Events.Count);
        Assert.Empty(h.Cloud.MarkedUnavailable);
        Assert.Equal(2, recorder.Sum(Interruptions, ("kind", "ignored")));
        Assert.Equal(0, recorder.Sum(Interruptions, ("kind", "spot")));
    }

    [Fact]
    public async Task FailedHandling_LeavesTheMessage_WhichIsHandledWhenDeliveredAgain()
    {
        using var h = new ControllerHarness();
        var node = await RunningNodeAsync(h);
        var writer = new FailingWriter(h.Cluster) { FailOn = nameof(IClusterWriter.DeleteNodeAsync) };
        var source = new FakeInterruptionSource(h.Time);
        var message = source.Send(InterruptionKind.InstanceStopped, InstanceId(node));
        var controller = h.NewInterruption(source, writer);

        await controller.PollAsync(CancellationToken.None);

        Assert.Empty(source.Completed);
        Assert.Equal(message, Assert.Single(source.Invisible));
        Assert.False(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);

        writer.FailOn = null;
        source.Redeliver();
        await controller.PollAsync(CancellationToken.None);

        Assert.Equal(message, Assert.Single(source.Completed));
        Assert.True(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);
    }

    [Fact]
    public async Task StateChangeAfterASpotWarning_FindsTheNodeHandledAlready()
    {
        using var h = new ControllerHarness();
        var node = await RunningNodeAsync(h);
        var source = new FakeInterruptionSource(h.Time);
        source.Send(InterruptionKind.SpotInterrupted, InstanceId(node));
        source.Send(InterruptionKind.InstanceTerminated, InstanceId(node));

        await h.NewInterruption(source).PollAsync(CancellationToken.None);
        await h.PassAsync();

        Assert.Equal(2, source.Completed.Count);
        Assert.Single(h.Cluster.Events, e => e.Reason == "Interrupted");
        Assert.Equal(2, h.Cloud.Requests.Count);
    }

    [Fact]
    public async Task Loop_HandlesMessagesAsTheyArrive_AndReturnsWhenCancelled()
    {
        using var h = new ControllerHarness();
        var node = await RunningNodeAsync(h);
        var source = new FakeInterruptionSource(h.Time);
        using var stop = new CancellationTokenSource();
        var loop = h.NewInterruption(source).RunAsync(stop.Token);

        source.Send(InterruptionKind.ScheduledChange, InstanceId(node));
        h.Time.Advance(TimeSpan.FromSeconds(20));
        await Until(() => source.Completed.Count == 1);

        Assert.True(h.Cluster.FindNode(node.Name)!.MarkedForDeletion);
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task UnreadableQueue_IsTriedAgainAfterABackoffThatDoubles()
    {
        using var h = new ControllerHarness();
        var source = new FakeInterruptionSource(h.Time) { FailReceives = 3 };
        using var stop = new CancellationTokenSource();
        var loop = h.NewInterruption(source).RunAsync(stop.Token);

        for (var i = 0; i < 150 && source.Receives.Count < 4; i++)
        {
            await Settle();
            h.Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var receives = source.Receives;
        Assert.True(receives.Count >= 4);
        TimeSpan[] expected = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];
        for (var i = 0; i < expected.Length; i++)
        {
            var gap = receives[i + 1] - receives[i];
            Assert.InRange(gap, expected[i], expected[i] + TimeSpan.FromMilliseconds(900));
        }

        await stop.CancelAsync();
        await loop;
    }

    [Theory]
    [InlineData(InterruptionKind.SpotInterrupted, "spot")]
    [InlineData(InterruptionKind.RebalanceRecommendation, "rebalance")]
    [InlineData(InterruptionKind.ScheduledChange, "scheduled-change")]
    [InlineData(InterruptionKind.InstanceStopped, "stopping")]
    [InlineData(InterruptionKind.InstanceTerminated, "terminating")]
    public void KindLabels_AreTheMetricsLabels(InterruptionKind kind, string label) =>
        Assert.Equal(label, InterruptionController.KindLabel(kind));

    /// <summary>Two pods on one launched, registered node.</summary>
    private static async Task<NodeView> RunningNodeAsync(ControllerHarness h)
    {
        if (h.Cluster.Provisioners().Count == 0)
        {
            h.AddProvisioner();
        }

        h.AddUnschedulable("inflate", 2);
        await h.PassAsync();
        var node = Assert.Single(h.CapstanNodes());
        h.Register(node.Name);
        await h.Lifecycle.ReconcileAllAsync(CancellationToken.None);
        return h.Cluster.FindNode(node.Name)!;
    }

    private static string InstanceId(NodeView node) => node.ProviderId![(node.ProviderId!.LastIndexOf('/') + 1)..];

    private static Task Settle() => Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
        }

        Assert.True(condition());
    }
}
